"""Synthetic orgs, warehouses, hospitals and suppliers placed in real Chinese cities."""

from collections import Counter
from typing import Any

import numpy as np

from twin.synthetic.departments import DEPARTMENT_KINDS
from twin.synthetic.geography import (
    CITIES,
    CITY_BY_CODE,
    HUB_CITIES,
    REGIONS,
    City,
    distance_matrix_km,
)

GROUP = "Huaxia Medical Devices"
HOME_REGION = "east"
HOME_CITY = "SHA"
SUBSIDIARY_REGIONS = ("south", "north", "southwest", "central", "northeast", "northwest", "east")
SATELLITE_COLD_SHARE = 0.35  # share of non-hub warehouses with 2–8 °C storage
LATE_SHARE = 0.2
"""Mean late delay of a late order / the supplier's mean lead time: the SCMS delivery history
(../shared/data/scms) gives 0.16–0.23 by shipment mode (Air 23.3 of 111.1 days, Truck 17.6 of
95.8, Ocean 39.9 of 176.9)."""

Record = dict[str, Any]


def subsidiary_count(n_warehouses: int) -> int:
    """About one subsidiary per five warehouses, at least two."""
    return max(2, round(n_warehouses / 5))


def _hub_cities(n_orgs: int) -> list[City]:
    """Hub city of each org: the parent in Shanghai, subsidiaries round the regions."""
    used: list[str] = [HOME_CITY]
    for k in range(n_orgs - 1):
        region = SUBSIDIARY_REGIONS[k % len(SUBSIDIARY_REGIONS)]
        by_pop = sorted((c for c in CITIES if c.region == region), key=lambda c: -c.population)
        options = [*HUB_CITIES[region], *(c.code for c in by_pop)]
        options += [c.code for c in sorted(CITIES, key=lambda c: -c.population)]
        used.append(next((c for c in options if c not in used), options[k % len(options)]))
    return [CITY_BY_CODE[c] for c in used]


def make_orgs_and_warehouses(n_warehouses: int, rng: np.random.Generator
                             ) -> tuple[list[Record], list[Record], list[int]]:
    """Orgs (a parent and its subsidiaries), warehouses and the index of each org's hub.

    Each org's first warehouse is its regional hub in the org's hub city, always cold-chain
    capable; its other warehouses go to the nearest free cities, own region first.
    Capacities are placeholders (1 unit) to be sized from the stock policies.
    """
    n_orgs = 1 + subsidiary_count(n_warehouses)
    hubs = _hub_cities(n_orgs)
    orgs: list[Record] = [{"id": "GRP", "name": f"{GROUP} Group Co., Ltd.", "region": HOME_REGION,
                           "transfer_markup": 0.05}]
    named: Counter[str] = Counter()
    for city in hubs[1:]:
        named[city.code] += 1
        n = named[city.code]
        orgs.append({"id": f"SUB-{city.code}" + (f"-{n}" if n > 1 else ""),
                     "name": f"{GROUP} ({city.province}{f' {n}' if n > 1 else ''}) Co., Ltd.",
                     "parent": "GRP", "region": city.region,
                     "transfer_markup": float(np.round(rng.uniform(0.03, 0.08), 3))})
    per_org = np.full(n_orgs, n_warehouses // n_orgs)
    per_org[: n_warehouses % n_orgs] += 1
    lat = np.array([c.latitude for c in CITIES])
    lon = np.array([c.longitude for c in CITIES])
    taken: Counter[str] = Counter(c.code for c in hubs[: min(n_orgs, n_warehouses)])
    sites: list[tuple[int, City, bool]] = []  # (org index, city, is hub)
    for o, hub in enumerate(hubs):
        if per_org[o] == 0:
            continue
        sites.append((o, hub, True))
        dist = distance_matrix_km(np.array([hub.latitude]), np.array([hub.longitude]), lat, lon)[0]
        order = sorted(range(len(CITIES)),
                       key=lambda j, hub=hub: (CITIES[j].region != hub.region, dist[j]))
        for _ in range(per_org[o] - 1):
            j = next((j for j in order if not taken[CITIES[j].code]),
                     min(order, key=lambda j: (taken[CITIES[j].code], dist[j])))
            taken[CITIES[j].code] += 1
            sites.append((o, CITIES[j], False))
    cold = rng.random(len(sites)) < SATELLITE_COLD_SHARE
    holding = np.round(rng.uniform(0.18, 0.25, len(sites)), 3)
    seen: Counter[str] = Counter()
    warehouses: list[Record] = []
    hub_index: list[int] = []
    for k, (o, city, is_hub) in enumerate(sites):
        seen[city.code] += 1
        n = seen[city.code]
        kind = "Regional Hub" if is_hub else "Distribution Centre"
        if is_hub:
            hub_index.append(k)
        warehouses.append({
            "id": f"WH-{city.code}" + (f"-{n}" if n > 1 else ""),
            "name": f"{city.name} {kind}" + (f" {n}" if n > 1 else ""),
            "org": orgs[o]["id"], "region": city.region, "city": city.name,
            "latitude": city.latitude, "longitude": city.longitude,
            "cold_chain": bool(is_hub or cold[k]), "capacity": 1,
            "holding_rate": float(holding[k]),
        })
    return orgs, warehouses, hub_index


HOSPITAL_NAMES = (
    "{city} First People's Hospital",
    "{city} Second People's Hospital",
    "{province} Provincial People's Hospital",
    "First Affiliated Hospital of {city} Medical University",
    "{city} Central Hospital",
    "{city} Third People's Hospital",
    "Second Affiliated Hospital of {city} Medical University",
    "{city} Hospital of Traditional Chinese Medicine",
    "{city} Union Hospital",
    "{city} Red Cross Hospital",
    "{province} Provincial Hospital of Integrated Medicine",
    "{city} Fourth People's Hospital",
    "{city} Fifth People's Hospital",
    "{city} Chest Hospital",
    "{city} Municipal Hospital",
)


def _hospital_name(city: City, n: int) -> str:
    names = [t for t in HOSPITAL_NAMES if "{province}" not in t or city.province != city.name]
    if n <= len(names):
        return names[n - 1].format(city=city.name, province=city.province)
    return f"{city.name} No. {n} People's Hospital"


def make_hospitals(n_hospitals: int, warehouses: list[Record], rng: np.random.Generator
                   ) -> list[Record]:
    """Hospitals in real cities (more in bigger cities) with departments of every priority.

    Each is served by its 1–3 nearest warehouses, nearest first; when none of those has
    2–8 °C storage the nearest cold-chain warehouse is added (or replaces the third).
    """
    pop = np.array([c.population for c in CITIES])
    picks = rng.choice(len(CITIES), size=n_hospitals, p=pop / pop.sum())
    picks = np.sort(picks, kind="stable")
    jitter = np.round(rng.normal(0.0, 0.03, (n_hospitals, 2)), 3)
    k_served = rng.choice([1, 2, 3], size=n_hospitals, p=[0.3, 0.45, 0.25])
    present = rng.random((n_hospitals, len(DEPARTMENT_KINDS)))
    shelf_pick = rng.random((n_hospitals, len(DEPARTMENT_KINDS)))
    hlat = np.array([CITIES[j].latitude for j in picks]) + jitter[:, 0]
    hlon = np.array([CITIES[j].longitude for j in picks]) + jitter[:, 1]
    wlat = np.array([w["latitude"] for w in warehouses])
    wlon = np.array([w["longitude"] for w in warehouses])
    wcold = np.array([w["cold_chain"] for w in warehouses])
    order = np.argsort(distance_matrix_km(hlat, hlon, wlat, wlon), axis=1, kind="stable")
    count: Counter[str] = Counter()
    hospitals: list[Record] = []
    for h, j in enumerate(picks):
        city = CITIES[j]
        count[city.code] += 1
        served = [int(w) for w in order[h, : min(k_served[h], len(warehouses))]]
        if not wcold[served].any():
            nearest_cold = int(next(w for w in order[h] if wcold[w]))
            served = [*served[:2], nearest_cold]
        depts = []
        has = present[h] < np.array([k.presence for k in DEPARTMENT_KINDS])
        priorities = {k.priority for k, p in zip(DEPARTMENT_KINDS, has, strict=True) if p}
        for d, kind in enumerate(DEPARTMENT_KINDS):
            needed = kind.priority not in priorities and kind.kind in ("emergency", "laboratory",
                                                                        "general_ward")
            if has[d] or needed:
                choices = kind.min_shelf_life_days
                depts.append({"id": kind.id, "kind": kind.kind, "priority": kind.priority,
                              "min_shelf_life_days": choices[int(shelf_pick[h, d] * len(choices))]})
        hospitals.append({
            "id": f"H-{city.code}-{count[city.code]:02d}",
            "name": _hospital_name(city, count[city.code]),
            "region": city.region, "city": city.name,
            "latitude": float(np.round(hlat[h], 3)), "longitude": float(np.round(hlon[h], 3)),
            "served_by": [warehouses[w]["id"] for w in served],
            "departments": depts,
        })
    return hospitals


# (specialty, categories it makes, name stem, vendor-managed inventory)
SPECIALTIES: tuple[tuple[str, tuple[str, ...], str, bool], ...] = (
    ("diagnostics", ("ivd_reagent",), "Diagnostics", True),
    ("cardiovascular", ("coronary_stent", "balloon_catheter", "interventional_catheter"),
     "Cardiovascular Devices", False),
    ("orthopaedics", ("orthopaedic_implant",), "Orthopaedic Implants", False),
    ("consumables", ("consumable", "catheter", "suture"), "Medical Consumables", False),
    ("surgical", ("surgical_stapler", "suture"), "Surgical Instruments", False),
    ("distributor", (), "MedTech Trading", False),
)
BRANDS = ("Kangtai", "Ruikang", "Huaxin", "Jinfeng", "Baiyun", "Tianyi", "Mingde", "Yongsheng",
          "Zhongke", "Anke", "Longmai", "Shengda", "Boyuan", "Jiahe", "Xinlian", "Hengtong",
          "Lianying", "Weikang", "Fangyuan", "Deyi", "Jiankang", "Ronghua", "Sanyou", "Meiling")
IMPORTING = ("cardiovascular", "orthopaedics", "diagnostics")  # specialties with foreign makers
SUPPLIER_CITIES = ("SZV", "SHA", "SZX", "PEK", "TSN", "HGH", "CAN", "CTU", "WUH", "NKG", "XMN")


def supplier_count(n_items: int) -> int:
    """About √items / 2 suppliers, at least six (every specialty present)."""
    return max(len(SPECIALTIES), round(np.sqrt(n_items) / 2))


def make_suppliers(items: list[Record], hub_ids: list[str], central_hub: str,
                   rng: np.random.Generator) -> list[Record]:
    """Suppliers, each making the items of its specialty, and a trading house that imports.

    Every item has one primary supplier of its specialty (list price = item unit cost);
    about 15 % have a second maker at a 3–12 % mark-up, and the trading house resells
    about 10 % of the catalogue. Diagnostics suppliers run VMI. Every supplier delivers to
    ``central_hub``; VMI and consumables suppliers to every hub; the others to each other
    hub with probability ½. Lead times are gamma or lognormal (per supplier): 5–14 days
    from domestic makers, 25–45 days from importers (the trading house, and about a third
    of cardiovascular, orthopaedic and diagnostics suppliers); MOQs fall with unit cost.
    """
    n_sup = supplier_count(len(items))
    specialty = [SPECIALTIES[k % len(SPECIALTIES)] for k in range(n_sup)]
    brands = [BRANDS[k % len(BRANDS)] + (f" {k // len(BRANDS) + 1}" if k >= len(BRANDS) else "")
              for k in rng.permutation(max(n_sup, len(BRANDS)))[:n_sup]]
    imports = np.array([s[0] in IMPORTING for s in specialty])
    importer = np.array([s[0] == "distributor" for s in specialty]) | (
        imports & (rng.random(n_sup) < 0.35))
    base_lead = np.where(importer, rng.uniform(25, 45, n_sup), rng.uniform(5, 14, n_sup))
    lead_family = np.where(rng.random(n_sup) < 0.5, "gamma", "lognormal")
    cv = rng.uniform(0.15, 0.4, n_sup)
    n_items = len(items)
    category = [it["category"] for it in items]
    cost = np.array([it["unit_cost"] for it in items])
    makers: dict[str, list[int]] = {}
    for k, spec in enumerate(specialty):
        for cat in spec[1]:
            makers.setdefault(cat, []).append(k)
    everyone = [k for k, s in enumerate(specialty) if s[0] != "distributor"]
    u_primary, u_second, u_pick = rng.random(n_items), rng.random(n_items), rng.random(n_items)
    resold = rng.random(n_items) < 0.10
    offers: list[list[tuple[int, bool]]] = [[] for _ in range(n_sup)]  # (item, second source)
    for i in range(n_items):
        cands = makers.get(category[i], everyone)
        primary = cands[int(u_primary[i] * len(cands))]
        offers[primary].append((i, False))
        if u_second[i] < 0.15:
            others = [k for k in cands if k != primary]
            if others:
                offers[others[int(u_pick[i] * len(others))]].append((i, True))
    traders = [k for k, s in enumerate(specialty) if s[0] == "distributor"]
    for i in np.flatnonzero(resold):
        offers[traders[int(i) % len(traders)]].append((int(i), True))
    for k in range(n_sup):  # nobody without an offer
        if not offers[k]:
            offers[k].append((int(rng.integers(n_items)), True))
    moq_u = rng.random(n_items)
    moq = np.select([cost >= 3000, cost >= 500, cost >= 50],
                    [1 + np.floor(moq_u * 5), 5 + 5 * np.floor(moq_u * 4),
                     10 + 10 * np.floor(moq_u * 5)], 100 * (1 + np.floor(moq_u * 10))).astype(int)
    suppliers: list[Record] = []
    others_hubs = [h for h in hub_ids if h != central_hub]
    for k, (spec, _cats, stem, vmi) in enumerate(specialty):
        city = CITY_BY_CODE[SUPPLIER_CITIES[k % len(SUPPLIER_CITIES)]]
        everywhere = vmi or spec == "consumables"
        reach = [h for h in others_hubs if everywhere or rng.random() < 0.5]
        n_off = len(offers[k])
        lead = np.round(base_lead[k] * rng.uniform(0.85, 1.2, n_off), 1)
        spread = np.maximum(np.round(lead * cv[k], 1), 0.1)
        markup = np.round(rng.uniform(1.03, 1.12, n_off), 3)
        late_mean = float(np.round(LATE_SHARE * base_lead[k], 1))
        supplies = []
        for j, (i, second) in enumerate(offers[k]):
            offer: Record = {"item": items[i]["code"],
                             "lead_time": {"family": str(lead_family[k]), "mean": float(lead[j]),
                                           "spread": float(spread[j])},
                             "moq": int(moq[i])}
            if second:
                offer["unit_price"] = float(np.round(cost[i] * markup[j], 2))
            supplies.append(offer)
        suppliers.append({
            "id": f"SUP-{brands[k].upper().replace(' ', '')}",
            "name": f"{brands[k]} {stem} ({city.name}) Co., Ltd." + (" [VMI]" if vmi else ""),
            "delivers_to": [central_hub, *reach],
            "supplies": supplies,
            "order_cost": float(np.round(rng.uniform(300, 2500), -1)),
            "vmi": vmi,
            "lateness": {"probability": float(np.round(1 - rng.uniform(0.85, 0.98), 2)),
                         "delay": {"family": "gamma", "mean": late_mean,
                                   "spread": late_mean}},
            "defect_rate": float(np.round(rng.uniform(0.001, 0.02), 4)),
        })
    return suppliers


def regions() -> list[Record]:
    """All seven regions."""
    return [{"id": r, "name": name} for r, name in REGIONS.items()]

