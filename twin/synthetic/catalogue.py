"""Item families of a Chinese medical-device distributor and a seeded item catalogue.

Unit costs are in CNY per stock unit and reflect post volume-based-procurement
(VBP) price levels: a coronary stent from about CNY 500 (VBP) to 10,000+ (premium
or bioresorbable), a joint-replacement component CNY 2,000–30,000, an infusion set
a few yuan. GTINs are GS1 GTIN-14 with a GS1 China (690–699) company prefix.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np

from twin.domain.gtin import make_gtin14


@dataclass(frozen=True)
class Family:
    """One device family: how its items are tracked, stored, priced and described."""

    category: str
    prefix: str  # item-code prefix
    share: float  # share of a synthetic catalogue
    tracking: str  # "lot" or "serial"
    cold_chain: bool
    criticality: str  # critical / high / routine
    unit: str
    cost_median: float  # CNY/unit
    cost_sigma: float  # log-space spread of unit cost
    cost_range: tuple[float, float]  # CNY/unit, clip bounds
    shelf_life_days: tuple[int, int]
    qc_hold_days: int
    unmet_demand: str  # lost / backorder
    variants: tuple[str, ...]
    sizes: tuple[str, ...]


FAMILIES: tuple[Family, ...] = (
    Family("coronary_stent", "STENT", 0.08, "serial", False, "critical", "each",
           2200, 0.8, (450, 16000), (730, 1095), 1, "lost",
           ("Drug-eluting coronary stent (sirolimus)", "Drug-eluting coronary stent (everolimus)",
            "Drug-eluting coronary stent (zotarolimus)", "Bare-metal coronary stent",
            "Bioresorbable coronary scaffold"),
           tuple(f"{d} x {n} mm" for d in ("2.25", "2.5", "2.75", "3.0", "3.5", "4.0")
                 for n in (9, 13, 15, 18, 23, 28, 33, 38))),
    Family("orthopaedic_implant", "ORTHO", 0.12, "serial", False, "high", "each",
           5500, 0.7, (800, 40000), (1825, 1825), 2, "backorder",
           ("Total knee femoral component", "Tibial tray", "Tibial insert UHMWPE",
            "Acetabular cup (cementless)", "Femoral stem (cementless)", "Ceramic femoral head",
            "Locking compression plate", "Intramedullary tibial nail", "Pedicle screw system",
            "Spinal interbody fusion cage"),
           (*(f"size {s}" for s in range(1, 9)), "left", "right")),
    Family("interventional_catheter", "ICATH", 0.07, "lot", False, "high", "each",
           380, 0.6, (120, 6000), (1095, 1095), 2, "lost",
           ("Guiding catheter 6F", "Diagnostic angiography catheter 5F", "PTCA guidewire 0.014 in",
            "Hydrophilic guidewire 0.035 in", "Radial introducer sheath 6F", "Microcatheter 2.6F"),
           ("JL3.5 100 cm", "JL4 100 cm", "JR4 100 cm", "EBU 3.5 100 cm", "TIG 100 cm", "150 cm",
            "180 cm", "190 cm", "11 cm")),
    Family("catheter", "CATH", 0.07, "lot", False, "high", "each",
           25, 1.2, (2.5, 900), (1095, 1825), 2, "lost",
           ("Central venous catheter triple-lumen 7F", "Central venous catheter double-lumen 7F",
            "PICC line 4F", "Peripheral IV cannula with injection port", "Arterial catheter",
            "Foley urinary catheter 2-way"),
           ("16 cm", "20 cm", "14Fr", "16Fr", "18Fr", "18G", "20G", "22G", "24G")),
    Family("balloon_catheter", "BALL", 0.06, "lot", False, "high", "each",
           900, 0.6, (250, 9000), (1095, 1095), 2, "lost",
           ("PTCA balloon catheter semi-compliant", "PTCA balloon catheter non-compliant",
            "Drug-coated balloon (paclitaxel)", "PTA balloon catheter", "Cutting balloon"),
           tuple(f"{d} x {n} mm" for d in ("2.0", "2.5", "3.0", "3.5", "4.0")
                 for n in (10, 15, 20, 30))),
    Family("ivd_reagent", "IVD", 0.18, "lot", True, "high", "kit",
           850, 0.7, (120, 8000), (180, 365), 3, "lost",
           tuple(f"{a} {k}" for a in (
               "Cardiac troponin I", "NT-proBNP", "D-dimer", "C-reactive protein", "Procalcitonin",
               "HbA1c", "Glucose", "ALT", "Creatinine", "TSH", "Ferritin", "HBsAg",
               "HIV Ag/Ab combo", "Influenza A/B antigen", "Interleukin-6")
                 for k in ("reagent kit", "calibrator set", "control set")),
           ("100 tests", "200 tests", "2 x 50 tests", "2 levels", "500 tests")),
    Family("surgical_stapler", "STPL", 0.06, "lot", False, "high", "each",
           1500, 0.6, (300, 9000), (1825, 1825), 2, "lost",
           ("Linear cutter stapler", "Linear cutter reload", "Circular stapler",
            "Endoscopic linear stapler", "Endoscopic stapler reload", "Skin stapler",
            "Haemorrhoid stapler"),
           ("25 mm", "29 mm", "33 mm", "45 mm white", "45 mm blue", "60 mm blue", "60 mm green",
            "35W")),
    Family("consumable", "CONS", 0.26, "lot", False, "routine", "each",
           3.5, 1.0, (0.3, 90), (1095, 1825), 1, "backorder",
           ("Infusion set with filter", "Precision infusion set (light-proof)",
            "Disposable syringe", "Insulin syringe", "Vacuum blood collection tube EDTA",
            "Sterile surgical gloves", "Nitrile examination gloves", "Medical gauze swab",
            "Extension tube", "Three-way stopcock", "Suction catheter", "Disposable surgical mask"),
           ("1 ml", "5 ml", "10 ml", "20 ml", "size 6.5", "size 7", "size 7.5", "10 x 10 cm",
            "150 cm", "12Fr", "standard")),
    Family("suture", "SUT", 0.10, "lot", False, "routine", "each",
           28, 0.6, (6, 260), (1825, 1825), 1, "backorder",
           ("Absorbable suture PGA", "Absorbable suture polydioxanone", "Silk suture",
            "Polypropylene suture", "Nylon suture"),
           tuple(f"{g} {n}" for g in ("2-0", "3-0", "4-0", "5-0")
                 for n in ("taper 26 mm", "cutting 19 mm", "taper 17 mm"))),
)

FAMILY_BY_CATEGORY: dict[str, Family] = {f.category: f for f in FAMILIES}


def family_counts(n_items: int) -> np.ndarray:
    """Items per family for a catalogue of ``n_items`` (largest-remainder rounding of shares)."""
    shares = np.array([f.share for f in FAMILIES])
    raw = shares / shares.sum() * n_items
    counts = np.floor(raw).astype(int)
    rest = n_items - counts.sum()
    counts[np.argsort(-(raw - counts), kind="stable")[:rest]] += 1
    return counts


def gs1_company_prefixes(n: int, rng: np.random.Generator) -> list[str]:
    """``n`` distinct 7-digit GS1 China company prefixes (690xxxx–699xxxx)."""
    picks = rng.choice(np.arange(6_900_000, 7_000_000), size=n, replace=False)
    return [str(p) for p in picks]


def gtin_for(prefix: str, reference: int) -> str:
    """GTIN-14 of item ``reference`` (0–99,999) under a 7-digit company prefix."""
    return make_gtin14(f"0{prefix}{reference:05d}")


def make_items(n_items: int, regions: list[str], home_region: str,
               rng: np.random.Generator) -> list[dict[str, Any]]:
    """A catalogue of ``n_items`` item records drawn from :data:`FAMILIES`.

    Every item is registered in ``home_region`` (where the group's importer of record
    sits); about a third are not registered in one to three other regions.
    """
    counts = family_counts(n_items)
    fam_idx = np.repeat(np.arange(len(FAMILIES)), counts)
    n = len(fam_idx)
    median = np.array([f.cost_median for f in FAMILIES])[fam_idx]
    sigma = np.array([f.cost_sigma for f in FAMILIES])[fam_idx]
    lo = np.array([f.cost_range[0] for f in FAMILIES])[fam_idx]
    hi = np.array([f.cost_range[1] for f in FAMILIES])[fam_idx]
    cost = np.clip(median * np.exp(sigma * rng.standard_normal(n)), lo, hi)
    cost = np.where(cost >= 100, np.round(cost), np.round(cost, 2))
    life_lo = np.array([f.shelf_life_days[0] for f in FAMILIES])[fam_idx]
    life_hi = np.array([f.shelf_life_days[1] for f in FAMILIES])[fam_idx]
    # shelf lives in whole months (30-day steps) between the family bounds
    life = life_lo + 30 * rng.integers(0, (life_hi - life_lo) // 30 + 1)
    narrow = rng.random(n) < 0.35
    dropped = (rng.random((n, len(regions))) < 0.3) & narrow[:, None]
    dropped[:, regions.index(home_region)] = False
    variant_u, size_u = rng.random(n), rng.random(n)
    prefixes = gs1_company_prefixes(len(FAMILIES) * (n // 100_000 + 1), rng)
    items: list[dict[str, Any]] = []
    seq = np.zeros(len(FAMILIES), dtype=int)
    for k in range(n):
        fam = FAMILIES[fam_idx[k]]
        f = int(fam_idx[k])
        seq[f] += 1
        ref = int(seq[f])
        variant = fam.variants[int(variant_u[k] * len(fam.variants))]
        size = fam.sizes[int(size_u[k] * len(fam.sizes))]
        items.append({
            "code": f"{fam.prefix}-{ref:05d}",
            "gtin": gtin_for(prefixes[f + ref // 100_000 * len(FAMILIES)], ref % 100_000),
            "description": f"{variant} {size}",
            "category": fam.category,
            "unit": fam.unit,
            "unit_cost": float(cost[k]),
            "cold_chain": fam.cold_chain,
            "shelf_life_days": int(life[k]),
            "tracking": fam.tracking,
            "registered_regions": [r for r, d in zip(regions, dropped[k], strict=True) if not d],
            "criticality": fam.criticality,
            "unmet_demand": fam.unmet_demand,
            "qc_hold_days": fam.qc_hold_days,
        })
    return items
