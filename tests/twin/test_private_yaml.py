"""Reading a secrets file: its mapping, its openness, and errors that never quote it."""

import os
from pathlib import Path

import pytest

from twin.private_yaml import SecretsUnreadable, read_private_yaml


def test_mapping_and_mode(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text("token: abc\n")
    os.chmod(f, 0o600)
    assert read_private_yaml(f).doc == {"token": "abc"}
    assert not read_private_yaml(f).open_to_others
    os.chmod(f, 0o640)
    assert read_private_yaml(f).open_to_others


@pytest.mark.parametrize(("text", "why", "missing"), [
    (None, "does not exist", True),
    ("password: [unclosed hunter2\n", r"cannot be read \(", False),
    ("- just a list\n", "not a YAML mapping", False)])
def test_what_is_wrong_is_said_without_the_text(tmp_path: Path, text: str | None, why: str,
                                                missing: bool) -> None:
    f = tmp_path / "s.yaml"
    if text is not None:
        f.write_text(text)
    with pytest.raises(SecretsUnreadable, match=why) as err:
        read_private_yaml(f)
    assert err.value.missing == missing and "hunter2" not in str(err.value)
