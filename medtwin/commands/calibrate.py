"""``medtwin calibrate``: fit lead-time and lateness distributions from shipment history."""

from dataclasses import asdict
from pathlib import Path

import click

from medtwin.errors import report_input_errors


@click.group()
def calibrate() -> None:
    """Calibrate the twin's stochastic inputs from recorded history."""


@calibrate.command("lead-times")
@click.argument("history", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the fitted distributions per mode to this YAML file.")
@click.option("--into", "into", type=click.Path(exists=True, path_type=Path),
              metavar="NETWORK",
              help="Write the fits into this network (a folder or its YAML file; copy a "
                   "bundled one first): every supplier whose 'mode' the history calibrates "
                   "gets that mode's on-time lead time on its offers and its lateness.")
@report_input_errors
def lead_times(history: Path, out: Path | None, into: Path | None) -> None:
    """Fit per-mode lead time (order sent → delivered) and lateness from HISTORY.

    A delivery splits into its on-time part (sent → promised, or delivered if earlier) and
    its lateness (delivered − promised, when late); a network takes the two apart, so
    --into writes the on-time part as the offers' lead time and the late share and days late
    as the supplier's lateness: lateness is counted once.

    HISTORY is the SCMS delivery history CSV (../shared/data/scms/); its quirks (two
    date formats, text in date and number columns, cross-row references) are handled and
    counted. Lead times are fitted as gamma or lognormal (lower AIC wins). It says how many
    lines it used; a file with fewer than 30 usable lead times, a header-only, empty or
    truncated file is refused (exit 2).
    """
    import yaml

    from medtwin.network_yaml import write_supplier_updates
    from solvers.calibration.into_network import supplier_updates
    from solvers.calibration.lead_times import (
        MIN_LEAD_TIMES,
        ThinHistory,
        calibrate_by_mode,
        usable_lead_times,
    )
    from solvers.calibration.scms import read_scms
    from twin.atomic import check_outputs, write_atomic
    from twin.network_files import load_network, resolve_network_path
    from twin.problems import InputError, Problem

    if out is not None:
        check_outputs(out)
    network = None
    if into is not None:
        network_file = resolve_network_path(into)
        check_outputs(network_file)
        network = load_network(network_file)
    history_data = read_scms(history)
    try:
        result = calibrate_by_mode(history_data.lines)
    except ThinHistory as exc:
        raise InputError([Problem(str(history), "", str(exc))]) from None
    lines = history_data.lines
    click.echo(f"used {usable_lead_times(lines)} of {len(lines)} lines (those with a usable "
               f"lead time; at least {MIN_LEAD_TIMES} needed)")
    click.echo(f"{'mode':<12}{'n':>6}{'family':>11}{'mean d':>9}{'sd d':>8}{'KS':>7}"
               f"{'on time':>9}{'late d':>8}{'p95 late':>9}")
    for c in result:
        lt = c.lead_time
        fit = (f"{lt.n:>6}{lt.distribution.family:>11}{lt.distribution.mean:>9.1f}"
               f"{lt.distribution.spread:>8.1f}{lt.ks_distance:>7.3f}" if lt else
               f"{0:>6}{'—':>11}{'':>9}{'':>8}{'':>7}")
        click.echo(f"{c.mode:<12}{fit}{c.lateness.on_time_share:>9.1%}"
                   f"{c.lateness.mean_days_late_when_late:>8.1f}{c.lateness.p95:>9.0f}")
    skipped = {k: v for k, v in history_data.quirks.items() if v}
    click.echo("quirks handled: " + ", ".join(f"{k}: {v}" for k, v in skipped.items()))
    if out is not None:
        doc = {c.mode: {"lead_time": (c.lead_time.distribution.model_dump() | {
                            "n": c.lead_time.n, "aic": c.lead_time.aic,
                            "ks_distance": c.lead_time.ks_distance}) if c.lead_time else None,
                        "lateness_days": asdict(c.lateness),
                        "zero_lead_times": c.zero_lead_times} for c in result}
        write_atomic(out, yaml.safe_dump(doc, sort_keys=False))
        click.echo(f"wrote {out}")
    if network is not None:
        updates, left = supplier_updates(network, result)
        if not updates:
            raise InputError([Problem(str(network_file), "suppliers", "no supplier's 'mode' is "
                                      "calibrated by this history: " + "; ".join(
                                          f"{sid}: {why}" for sid, why in left.items()))])
        write_supplier_updates(network_file, updates)
        for u in updates:
            late = (f"late {u.lateness.probability:.1%} by {u.lateness.delay.mean:.1f} ± "
                    f"{u.lateness.delay.spread:.1f} d" if u.lateness.delay else "never late")
            click.echo(f"{u.supplier} ({u.mode}): {u.offers} offer(s) lead time "
                       f"{u.lead_time.family} {u.lead_time.mean:.1f} ± {u.lead_time.spread:.1f} d, "
                       f"{late}")
        for sid, why in left.items():
            click.echo(f"{sid}: left as it was ({why})")
        click.echo(f"wrote {network_file}")
