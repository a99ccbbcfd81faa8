"""Reading a YAML input file and validating it with a pydantic model, every problem
located by file, field path and line (:class:`twin.problems.InputError`)."""

import os
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from twin.problems import InputError, Problem, format_path
from twin.problems import Path as FieldPath

FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""The C safe loader when PyYAML was built with libyaml, else the pure-Python one."""

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


def yaml_line(text: str, path: FieldPath) -> int | None:
    """The line (1-based) where the value at ``path`` starts in the YAML ``text`` (of its
    deepest ancestor present, e.g. the mapping a missing field belongs to); ``None`` when
    the text is not YAML."""
    try:
        node = yaml.compose(text, Loader=FAST_LOADER)
    except yaml.YAMLError:
        return None
    if node is None:
        return None
    for part in path:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if str(k.value) == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            found = node.value[part] if 0 <= part < len(node.value) else None
        else:
            found = None
        if found is None:
            break
        node = found
    return node.start_mark.line + 1


def located(file: str, path: FieldPath, message: str) -> Problem:
    """A problem of the YAML file ``file`` at field ``path``, with the line it is on when
    the file can be read (this runs only when reporting, so reading again is cheap)."""
    where = format_path(path)
    try:
        line = yaml_line(Path(file).read_text(encoding="utf-8"), path)
    except (OSError, UnicodeDecodeError):
        line = None
    if line is not None:
        where = f"{where} (line {line})" if where else f"line {line}"
    return Problem(file, where, message)


def validate_as(model: type[M], doc: Any, file: str, prefix: tuple[str, ...] = ()) -> M:
    """``model`` validated from ``doc``; each error names ``file``, the field path and its
    line."""
    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        raise InputError([located(file, (*prefix, *e["loc"]),
                                  str(e["msg"]).removeprefix("Value error, "))
                          for e in exc.errors()]) from None
