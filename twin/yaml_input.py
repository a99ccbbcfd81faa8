"""Reading a YAML input file and validating it with a pydantic model, every problem
located by file and field path (:class:`twin.problems.InputError`)."""

import os
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from twin.problems import InputError, Problem, format_path

M = TypeVar("M", bound=BaseModel)


def read_yaml(path: str | os.PathLike[str]) -> Any:
    """The parsed document of ``path``; a missing or unreadable file is an input error."""
    file = Path(path)
    try:
        return yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError([Problem(str(file), "", "file not found")]) from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError([Problem(str(file), "", f"cannot read YAML: {exc}")]) from None


def validate_as(model: type[M], doc: Any, file: str, prefix: tuple[str, ...] = ()) -> M:
    """``model`` validated from ``doc``; each error names ``file`` and the field path."""
    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        raise InputError([Problem(file, format_path((*prefix, *e["loc"])),
                                  str(e["msg"]).removeprefix("Value error, "))
                          for e in exc.errors()]) from None
