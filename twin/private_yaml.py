"""Reading a YAML file of secrets: its mapping, and whether group or others may read it.

A message never quotes the file's text (a YAML error could show a password line): it
says only where and what kind of problem. The callers decide what an open file means (a
warning for ERP credentials, a refusal for the plan store's key and a user's token).
"""

import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class SecretsUnreadable(ValueError):
    """The file is missing, unreadable, not YAML or not a mapping (``missing``: the first)."""

    def __init__(self, why: str, missing: bool = False):
        super().__init__(why)
        self.missing = missing


@dataclass(frozen=True)
class PrivateYaml:
    """The file's mapping and whether its mode lets group or others read it."""

    doc: dict[str, Any]
    open_to_others: bool


def read_private_yaml(path: Path) -> PrivateYaml:
    """The mapping in ``path`` (:class:`SecretsUnreadable` saying why not)."""
    try:
        mode = path.stat().st_mode
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SecretsUnreadable("does not exist", missing=True) from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SecretsUnreadable(f"cannot be read ({type(exc).__name__})") from None
    if not isinstance(doc, dict):
        raise SecretsUnreadable("is not a YAML mapping")
    return PrivateYaml(doc, bool(mode & (stat.S_IRWXG | stat.S_IRWXO)))
