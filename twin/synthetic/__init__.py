"""Seeded synthetic networks of a Chinese medical-device group, of any size.

:func:`generate_network` builds, from one ``numpy.random.Generator``:

- a parent org in Shanghai and about one subsidiary per five warehouses (at least two),
  each with a cold-chain regional hub in a real city of its region
  (:mod:`~twin.synthetic.geography`) and further warehouses in nearby cities;
- lanes between hubs (road, rail, air), hubs and their warehouses and nearby warehouses,
  with transit times and costs from great-circle distance (:mod:`~twin.synthetic.lanes`);
- an item catalogue of stents, orthopaedic implants (serial), catheters, balloons,
  IVD reagents (2–8 °C), staplers, sutures and consumables with GS1 GTIN-14s and CNY costs
  (:mod:`~twin.synthetic.catalogue`);
- suppliers by specialty, diagnostics on VMI, delivering to the hubs
  (:mod:`~twin.synthetic.parties`);
- hospitals in real cities with ICU, emergency, specialist and ward departments and
  demand models for the items each department uses (:mod:`~twin.synthetic.demand`);
- fixed (s, S) policies along a supplier → hub → warehouse tree
  (:mod:`~twin.synthetic.stocking`) and an opening snapshot (:mod:`~twin.synthetic.snapshot`).

The result passes :func:`twin.validation.check_network`.
"""

from twin.synthetic.generate import AS_OF, derive_tables, generate_network

__all__ = ["AS_OF", "derive_tables", "generate_network"]
