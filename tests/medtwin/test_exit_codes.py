"""One exit-code enum: the values the README promises, and no per-module constants."""

import re
from pathlib import Path

from medtwin.exit_codes import ExitCode
from medtwin.nightly.summary import Outcome

ROOT = Path(__file__).resolve().parents[2]


def test_the_documented_values() -> None:
    assert {c.name: int(c) for c in ExitCode} == {
        "OK": 0, "INPUT": 2, "INFEASIBLE": 3, "ERP_UNREACHABLE": 4, "INCOMPLETE": 5,
        "NOT_PERMITTED": 6, "LIFECYCLE": 7, "AUDIT_BROKEN": 8, "CLUSTER": 9, "WAITING": 10,
        "FAILED": 11, "LOCKED": 12}
    assert [int(o) for o in Outcome] == [0, 10, 11, 12]


def test_no_module_of_the_shell_defines_its_own_exit_codes() -> None:
    bad = [f"{p.relative_to(ROOT)}:{n}" for p in sorted((ROOT / "medtwin").rglob("*.py"))
           for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
           if re.match(r"\s*EXIT_[A-Z_]+\s*=", line)
           or re.search(r"SystemExit\(\d+\)", line)]
    assert not bad, "use medtwin.exit_codes.ExitCode:\n" + "\n".join(bad)


def test_the_readme_table_is_the_enum() -> None:
    """One README table lists every code of the enum, with its name, and nothing else."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d+) \| `([A-Z_]+)` \| .+ \|$", text, flags=re.M)
    assert [(int(code), name) for code, name in rows] == [(int(c), c.name) for c in ExitCode]
    scattered = re.findall(r"Exit codes(?!\s\(\[table\]\(#exit-codes\)\))", text)
    assert len(scattered) == 1, "the per-command sentences point at the table"
