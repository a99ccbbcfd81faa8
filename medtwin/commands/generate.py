"""``medtwin generate``: write a seeded synthetic network of any size."""

import logging
import time
from pathlib import Path

import click

from medtwin.errors import report_input_errors

log = logging.getLogger(__name__)


@click.command()
@click.option("--warehouses", type=click.IntRange(2, 500), default=8, show_default=True,
              help="Number of warehouses.")
@click.option("--items", type=click.IntRange(5, 100_000), default=60, show_default=True,
              help="Number of items in the catalogue.")
@click.option("--hospitals", type=click.IntRange(1, 10_000), default=30, show_default=True,
              help="Number of hospitals.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Directory to write network.yaml and its CSV tables into.")
@report_input_errors
def generate(warehouses: int, items: int, hospitals: int, seed: int, out: Path) -> None:
    """Generate a realistic synthetic network (same seed → same network) and write it to OUT.

    Orgs and warehouses in real Chinese cities, lanes from distance and mode, an item
    catalogue of stents, implants, catheters, IVD reagents (2–8 °C) and consumables,
    hospitals with critical/high/routine departments, suppliers (some VMI), demand
    models, (s, S) parameters and an opening snapshot of lots.
    """
    from twin.network_files import TABLES, save_network
    from twin.synthetic import generate_network

    start = time.perf_counter()
    net = generate_network(warehouses=warehouses, items=items, hospitals=hospitals, seed=seed)
    path = save_network(net, out, tables=TABLES.keys())
    log.info("generated in %.2f s", time.perf_counter() - start)
    click.echo(f"wrote {path} ({len(net.warehouses)} warehouses, {len(net.items)} items, "
               f"{len(net.hospitals)} hospitals, {len(net.snapshot.lots)} lot positions)")
