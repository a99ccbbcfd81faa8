"""Hospital department kinds: priority class, what they consume, and their rhythm.

``uses`` maps an item category to ``(share, units_per_day)``: the share of that
family's items a department of this kind uses (its formulary), and how many units
of the whole family it consumes per day in a 1,000-bed hospital.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DepartmentKind:
    """One kind of department as found in a Chinese tertiary (Grade III) hospital."""

    kind: str
    id: str  # department id within a hospital
    priority: str  # critical / high / routine
    min_shelf_life_days: tuple[int, ...]  # choices, days
    presence: float  # probability that a hospital has one
    weekly: str  # weekly rhythm: flat, acute, elective, ward
    season: str  # annual rhythm: winter (respiratory season) or elective (dip at Spring Festival)
    uses: dict[str, tuple[float, float]]


DEPARTMENT_KINDS: tuple[DepartmentKind, ...] = (
    DepartmentKind("icu", "ICU", "critical", (30, 60), 0.9, "flat", "winter", {
        "catheter": (0.5, 10.0), "consumable": (0.3, 160.0), "suture": (0.15, 4.0)}),
    DepartmentKind("emergency", "ER", "critical", (14, 30), 0.95, "acute", "winter", {
        "consumable": (0.3, 220.0), "catheter": (0.4, 8.0), "suture": (0.3, 12.0),
        "ivd_reagent": (0.06, 1.5)}),
    DepartmentKind("cardiology", "CARD", "high", (60, 90), 0.9, "elective", "elective", {
        "coronary_stent": (0.5, 3.5), "balloon_catheter": (0.6, 4.0),
        "interventional_catheter": (0.5, 14.0), "consumable": (0.08, 25.0)}),
    DepartmentKind("orthopaedics", "ORTH", "high", (90, 180), 0.85, "elective", "elective", {
        "orthopaedic_implant": (0.5, 4.5), "suture": (0.2, 8.0), "consumable": (0.08, 30.0)}),
    DepartmentKind("surgery", "SURG", "high", (30, 60), 0.9, "elective", "elective", {
        "surgical_stapler": (0.6, 5.0), "suture": (0.5, 30.0), "consumable": (0.12, 60.0),
        "catheter": (0.15, 4.0)}),
    DepartmentKind("laboratory", "LAB", "high", (30, 45), 0.95, "elective", "winter", {
        "ivd_reagent": (0.6, 14.0), "consumable": (0.05, 90.0)}),
    DepartmentKind("general_ward", "WARD", "routine", (0, 30), 1.0, "ward", "winter", {
        "consumable": (0.35, 350.0), "catheter": (0.2, 15.0), "suture": (0.05, 3.0)}),
)

KIND_BY_NAME: dict[str, DepartmentKind] = {k.kind: k for k in DEPARTMENT_KINDS}


def weekly_profiles(rhythm: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Seven day-of-week multipliers (Monday first, mean 1) per row; ``u`` ∈ [0, 1) varies them.

    ``rhythm``: 0 flat (ICU), 1 acute (busier weekends), 2 elective (weekday surgery and
    lab runs), 3 ward (slightly quieter weekends).
    """
    weekday = np.select([rhythm == 1, rhythm == 2, rhythm == 3],
                        [0.96 - 0.03 * u, 1.18 + 0.12 * u, 1.03 + 0.07 * u], 1.0)
    weekday = np.round(weekday, 3)
    weekend = np.round((7 - 5 * weekday) / 2, 4)
    return np.column_stack([weekday] * 5 + [weekend] * 2)


RHYTHMS: dict[str, int] = {"flat": 0, "acute": 1, "elective": 2, "ward": 3}
