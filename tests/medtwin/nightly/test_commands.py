"""``medtwin nightly`` and ``medtwin schedule``: config errors, the cron schedule."""

import datetime as dt
import itertools
from pathlib import Path

from click.testing import CliRunner

from medtwin.cli import main


def _config(tmp_path: Path, text: str = "erp: http://127.0.0.1:9/none\n") -> Path:
    path = tmp_path / "nightly.yaml"
    path.write_text(text)
    return path


def test_schedule_prints_the_next_run_times(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["schedule", "--config", str(_config(tmp_path)),
                                       "--cron", "30 2 * * *", "--next", "3"])
    assert result.exit_code == 0, result.output
    times = [dt.datetime.fromisoformat(line) for line in result.output.split()]
    assert len(times) == 3 and all((t.hour, t.minute) == (2, 30) for t in times)
    assert [(b - a).days for a, b in itertools.pairwise(times)] == [1, 1]


def test_schedule_refuses_a_bad_cron(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["schedule", "--config", str(_config(tmp_path)),
                                       "--cron", "61 2 * *", "--next", "1"])
    assert result.exit_code == 2
    assert "--cron: not a cron expression" in result.output


def test_bad_config_exits_2_naming_file_and_field(tmp_path: Path) -> None:
    path = _config(tmp_path, "erp: x\nstress: {reps: 1}\nhorizon_days: 0\n")
    for command in ("nightly", "schedule"):
        result = CliRunner().invoke(main, [command, "--config", str(path), "--next", "1"]
                                    if command == "schedule" else [command, "--config",
                                                                   str(path)])
        assert result.exit_code == 2, result.output
        assert f"{path}: stress.reps" in result.output
        assert f"{path}: horizon_days" in result.output
        assert "Traceback" not in result.output


def test_unreachable_erp_ends_failed_with_exit_11(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MEDTWIN_ERP_USER", "admin")
    monkeypatch.setenv("MEDTWIN_ERP_PASSWORD", "x")
    monkeypatch.delenv("MEDTWIN_ERP_SECRETS", raising=False)
    path = _config(tmp_path, f"network: tests/data/tiny\nerp: http://127.0.0.1:9/medtwin\n"
                             f"store: sqlite:///{tmp_path / 's.db'}\nout_dir: {tmp_path}\n"
                             f"lock_file: {tmp_path / 'lock'}\n"
                             "retry: {attempts: 2, backoff_seconds: 0}\n")
    result = CliRunner().invoke(main, ["nightly", "--config", str(path)])
    assert result.exit_code == 6 and "is not a user of this store" in result.output
    monkeypatch.delenv("MEDTWIN_SECRETS", raising=False)
    assert CliRunner().invoke(main, ["users", "bootstrap", "mia", "--store",
                                     f"sqlite:///{tmp_path / 's.db'}"]).exit_code == 0
    result = CliRunner().invoke(main, ["nightly", "--config", str(path)])
    assert result.exit_code == 11, result.output
    assert "FAILED" in result.output and "pull from the ERP failed" in result.output
