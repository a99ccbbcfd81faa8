"""Time ``medtwin --help`` and every ``medtwin COMMAND --help`` as whole processes.

Each help is a fresh ``python -m medtwin … --help`` (interpreter start-up included), since
that is what a user waits for. Target: ≤ 0.5 s wall for every help. CPU seconds (user +
system of the child) are printed too: on a shared machine they move less than wall time.

With ``--baseline DIR`` (a source tree of another commit, e.g. ``git archive 4ac2bca | tar
-x -C DIR``), ``medtwin --help`` of this tree and of DIR run in turn and the ratio is taken
pair by pair, so that a machine whose speed drifts still gives a fair ratio.

Run from the repository root: ``python bench/bench_cli_help.py [--runs 15] [--baseline DIR]``.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_help(tree: Path, args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of ``python -m medtwin ARGS --help`` importing ``tree``'s code."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "medtwin", *args, "--help"], cwd=tree, env=env,
                   check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def spread(runs: list[tuple[float, float]]) -> str:
    wall, cpu = ([r[i] for r in runs] for i in (0, 1))
    return (f"wall median {statistics.median(wall):.3f} s ({min(wall):.3f} … "
            f"{max(wall):.3f}), CPU median {statistics.median(cpu):.3f} s")


def command_paths() -> list[list[str]]:
    """Every command and sub-command of this tree's CLI."""
    sys.path.insert(0, str(ROOT))
    import click

    from medtwin.cli import main

    def walk(group: click.Group, ctx: click.Context, path: list[str]) -> list[list[str]]:
        paths = [path]
        for name in group.list_commands(ctx):
            cmd = group.get_command(ctx, name)
            if isinstance(cmd, click.Group):
                paths += walk(cmd, click.Context(cmd, parent=ctx, info_name=name), [*path, name])
            else:
                paths.append([*path, name])
        return paths

    return walk(main, click.Context(main, info_name="medtwin"), [])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of `medtwin --help` "
                                                             "(each tree)")
    parser.add_argument("--per-command", type=int, default=3,
                        help="runs of each `medtwin COMMAND --help`")
    parser.add_argument("--baseline", type=Path, help="source tree to compare with")
    args = parser.parse_args()

    load = os.getloadavg()[0]
    run_help(ROOT, [])  # warm the file cache
    if args.baseline is not None:
        run_help(args.baseline, [])
    ours: list[tuple[float, float]] = []
    theirs: list[tuple[float, float]] = []
    for _ in range(args.runs):
        ours.append(run_help(ROOT, []))
        if args.baseline is not None:
            theirs.append(run_help(args.baseline, []))
    print(f"medtwin --help, {args.runs} runs, {os.cpu_count()} cores, load average "
          f"{load:.1f} at the start")
    print(f"  this tree  {spread(ours)}")
    if args.baseline is not None:
        ratios = [b[0] / a[0] for a, b in zip(ours, theirs, strict=True)]
        print(f"  baseline   {spread(theirs)}")
        print(f"  baseline / this tree (wall), pair by pair: median "
              f"{statistics.median(ratios):.1f}× "
              f"(min {min(ratios):.1f}, max {max(ratios):.1f})")

    wall: dict[str, float] = {}
    cpu: dict[str, float] = {}
    for path in command_paths()[1:]:
        runs = [run_help(ROOT, path) for _ in range(args.per_command)]
        name = " ".join(path)
        wall[name] = statistics.median(r[0] for r in runs)
        cpu[name] = statistics.median(r[1] for r in runs)
    slowest = sorted(wall, key=wall.__getitem__, reverse=True)[:3]
    print(f"medtwin COMMAND --help, {len(wall)} commands and sub-commands, medians of "
          f"{args.per_command} runs each: wall {min(wall.values()):.3f} … "
          f"{max(wall.values()):.3f} s, CPU {min(cpu.values()):.3f} … {max(cpu.values()):.3f} s;"
          f" slowest: " + ", ".join(f"{name} {wall[name]:.3f} s" for name in slowest))


if __name__ == "__main__":
    main()
