"""Which Tryton record is which domain object: the codes that tie them, read once per session.

Tryton has no parent companies and no warehouse ownership, so the org tree stays on our
side (the network); the ERP only has to carry the codes below. The seeding loader writes
them; an existing Tryton needs the same codes on its records.

| domain                | Tryton record                                   | code                  |
|-----------------------|-------------------------------------------------|-----------------------|
| org                   | ``company.company`` (its party)                 | party code = org id   |
| warehouse             | ``stock.location`` of type warehouse            | warehouse id          |
| quarantine / reserved | storage location inside the warehouse           | ``WH/QUA``, ``WH/RES``|
| returns awaiting QC   | storage location inside the warehouse           | ``WH/RET``            |
| return reason         | customer return shipment's ``reference``        | ``return:REASON``     |
| units out for repair  | done supplier return shipment out of ``WH/RET`` | ``due:DATE`` in ref.  |
| item                  | ``product.product``, GTIN an ``ean`` identifier | item code             |
| lot / serial          | ``stock.lot`` (number, expiration date)         | lot number            |
| supplier              | ``party.party``                                 | supplier id           |
| hospital department   | ``party.party`` and its customer location       | ``HOSPITAL/DEPT``     |
| sale to another org   | customer location of a company's party          | ``INTERCO/ORG``       |
| planner (requisitions)| ``company.employee`` of each company            | party ``MEDTWIN/ORG`` |
"""

import datetime as dt
import logging
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from erp_adapter.tryton.client import TrytonClient

log = logging.getLogger(__name__)

QUARANTINE_SUFFIX = "/QUA"
RESERVED_SUFFIX = "/RES"
RETURNS_SUFFIX = "/RET"
RETURN_PREFIX = "return:"
"""A customer return shipment's ``reference``: ``return:<reason>``
(:data:`twin.domain.returns.ReturnReason`)."""
REPAIR_DUE_PREFIX = "due:"
"""The token of a repair's supplier return shipment ``reference`` that says when the
units come back: ``due:<ISO date>``."""
INTERCO_PREFIX = "INTERCO/"
EMPLOYEE_PREFIX = "MEDTWIN/"
GTIN_TYPE = "ean"


def department_code(hospital: str, department: str) -> str:
    """Party and customer-location code of a hospital department."""
    return f"{hospital}/{department}"


def split_department(code: str | None) -> tuple[str, str]:
    """``H-RJ/ICU`` → (``H-RJ``, ``ICU``); a code without ``/`` is a hospital, department ''."""
    if not code:
        return "", ""
    hospital, _, department = code.partition("/")
    return hospital, department


def money(value: float) -> Decimal:
    """A currency amount with 4 decimals (Tryton's unit-price precision)."""
    return Decimal(str(value)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def whole(quantity: float) -> int:
    """An ERP quantity (float) as whole units."""
    return round(quantity)


@dataclass(frozen=True)
class Location:
    """A ``stock.location`` with what it means on our side."""

    id: int
    code: str | None
    name: str
    type: str
    parent: int | None
    warehouse: str | None = None  # warehouse code it lies in
    role: str = ""  # storage / quarantine / reserved / input / output / transit / …

    def describe(self) -> str:
        """Human-readable meaning: ``WH-SH storage``, ``department H-RJ/ICU`` …"""
        if self.warehouse:
            return f"{self.warehouse} {self.role or self.type}"
        if self.type == "customer":
            if self.code and self.code.startswith(INTERCO_PREFIX):
                return f"sold to org {self.code.removeprefix(INTERCO_PREFIX)}"
            hospital, department = split_department(self.code)
            if department:
                return f"hospital {hospital} department {department}"
            return f"customer {self.code or self.name}"
        if self.type == "supplier":
            return "supplier"
        if self.type == "lost_found":
            return "inventory adjustment"
        if self.role == "transit":
            return "in transit"
        return f"{self.type} {self.code or self.name}"


@dataclass
class Sites:
    """Tryton ids of every org, warehouse, item, supplier and department, by our codes."""

    org_company: dict[str, int] = field(default_factory=dict)
    company_org: dict[int, str] = field(default_factory=dict)
    org_party: dict[str, int] = field(default_factory=dict)
    org_address: dict[str, int] = field(default_factory=dict)
    org_currency: dict[str, int] = field(default_factory=dict)
    org_name: dict[str, str] = field(default_factory=dict)
    org_employee: dict[str, int] = field(default_factory=dict)
    warehouse: dict[str, int] = field(default_factory=dict)
    storage: dict[str, int] = field(default_factory=dict)
    quarantine: dict[str, int] = field(default_factory=dict)
    reserved: dict[str, int] = field(default_factory=dict)
    returns: dict[str, int] = field(default_factory=dict)
    lost_found: dict[str, int] = field(default_factory=dict)  # where scrapped units go
    warehouse_org: dict[str, str | None] = field(default_factory=dict)
    warehouse_name: dict[str, str] = field(default_factory=dict)
    locations: dict[int, Location] = field(default_factory=dict)
    product: dict[str, int] = field(default_factory=dict)
    item_of_product: dict[int, str] = field(default_factory=dict)
    party: dict[str, int] = field(default_factory=dict)  # suppliers and departments by code
    party_address: dict[int, int] = field(default_factory=dict)
    party_code: dict[int, str] = field(default_factory=dict)
    party_supplier_location: dict[int, int] = field(default_factory=dict)
    unit: int = 0

    @property
    def company_parties(self) -> set[int]:
        """Parties that are one of our companies (their sales/purchases are transfers)."""
        return set(self.org_party.values())


def _walk_warehouses(rows: list[dict], sites: Sites) -> None:
    by_id = {r["id"]: r for r in rows}
    roles: dict[int, tuple[str, str]] = {}
    for r in rows:
        if r["type"] != "warehouse" or not r.get("code"):
            continue
        code = r["code"]
        for role, key in (("storage", "storage_location"), ("input", "input_location"),
                          ("output", "output_location")):
            if r.get(key):
                roles.setdefault(r[key], (code, role))
    for r in rows:
        if r.get("code") and r["type"] == "storage":
            for suffix, role in ((QUARANTINE_SUFFIX, "quarantine"), (RESERVED_SUFFIX, "reserved"),
                                 (RETURNS_SUFFIX, "returns")):
                if r["code"].endswith(suffix):
                    roles[r["id"]] = (r["code"].removesuffix(suffix), role)
    for r in rows:
        # the warehouse a location lies in: nearest ancestor of type warehouse
        wh, cur, role = None, r, roles.get(r["id"], (None, ""))[1]
        seen = 0
        while cur is not None and seen < 50:
            if cur["type"] == "warehouse":
                wh = cur.get("code")
                break
            if not role and cur["id"] in roles:
                role = roles[cur["id"]][1]
            cur = by_id.get(cur.get("parent"))
            seen += 1
        if r["id"] in roles:
            wh = wh or roles[r["id"]][0]
        if r["type"] == "storage" and r.get("parent") is None and wh is None:
            role = "transit"
        sites.locations[r["id"]] = Location(
            id=r["id"], code=r.get("code"), name=r.get("name") or "", type=r["type"],
            parent=r.get("parent"), warehouse=wh, role=role or ("" if wh is None else r["type"]))


def load_sites(client: TrytonClient) -> Sites:
    """Read companies, warehouses, products and parties and index them by our codes."""
    sites = Sites()
    companies = client.model("company.company").search_read(
        [], ["id", "party", "party.code", "party.name", "currency"])
    for c in companies:
        code = (c.get("party.") or {}).get("code")
        if not code:
            log.warning("company %s has a party without a code; it maps to no org", c["id"])
            continue
        sites.org_company[code] = c["id"]
        sites.company_org[c["id"]] = code
        sites.org_party[code] = c["party"]
        sites.org_currency[code] = c["currency"]
        sites.org_name[code] = (c.get("party.") or {}).get("name") or code
    parties = client.model("party.party").search_read(
        [("code", "!=", None)], ["id", "code", "addresses", "supplier_location"],
        context={"active_test": False})
    for p in parties:
        sites.party_code[p["id"]] = p["code"]
        if p.get("supplier_location"):
            sites.party_supplier_location[p["id"]] = p["supplier_location"]
        if p["addresses"]:
            sites.party_address[p["id"]] = p["addresses"][0]
        if p["id"] not in sites.company_parties:
            sites.party[p["code"]] = p["id"]
    for org, party in sites.org_party.items():
        if party in sites.party_address:
            sites.org_address[org] = sites.party_address[party]
    employees = client.model("company.employee").search_read(
        [("party.code", "like", f"{EMPLOYEE_PREFIX}%")], ["id", "company", "party.code"])
    for e in employees:
        org = sites.company_org.get(e["company"])
        if org:
            sites.org_employee[org] = e["id"]
    rows = client.model("stock.location").search_read(
        [], ["id", "code", "name", "type", "parent", "storage_location", "input_location",
             "output_location", "lost_found_location", "address.party"],
        context={"active_test": False})
    _walk_warehouses(rows, sites)
    for r in rows:
        if r["type"] == "warehouse" and r.get("code"):
            code = r["code"]
            sites.warehouse[code] = r["id"]
            sites.warehouse_name[code] = r.get("name") or code
            if r.get("storage_location"):
                sites.storage[code] = r["storage_location"]
            if r.get("lost_found_location"):
                sites.lost_found[code] = r["lost_found_location"]
            owner = (r.get("address.") or {}).get("party")
            sites.warehouse_org[code] = next(
                (o for o, p in sites.org_party.items() if p == owner), None)
        elif r["type"] == "storage" and r.get("code"):
            if r["code"].endswith(QUARANTINE_SUFFIX):
                sites.quarantine[r["code"].removesuffix(QUARANTINE_SUFFIX)] = r["id"]
            elif r["code"].endswith(RESERVED_SUFFIX):
                sites.reserved[r["code"].removesuffix(RESERVED_SUFFIX)] = r["id"]
            elif r["code"].endswith(RETURNS_SUFFIX):
                sites.returns[r["code"].removesuffix(RETURNS_SUFFIX)] = r["id"]
    products = client.model("product.product").search_read(
        [("code", "!=", None)], ["id", "code"], context={"active_test": False})
    for p in products:
        if p["code"] in sites.product:
            log.warning("two products have code %s; using the first", p["code"])
            continue
        sites.product[p["code"]] = p["id"]
        sites.item_of_product[p["id"]] = p["code"]
    units = client.model("product.uom").search([("symbol", "=", "u")], limit=1)
    sites.unit = units[0] if units else 0
    return sites


def days(n: float) -> dt.timedelta:
    """A whole number of days (at least 0) from a mean duration."""
    return dt.timedelta(days=max(0, round(n)))
