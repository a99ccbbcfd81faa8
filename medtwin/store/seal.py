"""Binding stress evidence to a plan's content and sealing it with the store's key.

``plan_sha256`` = sha256 of the plan's canonical JSON (what the store keeps); the seal is
HMAC-SHA256 under the store's key (:mod:`medtwin.store.keyring`) of the evidence's
canonical JSON without the seal. Evidence written or edited by hand, or made for another
plan, does not carry a valid seal and the store refuses it.
"""

import hashlib
from typing import Any

from medtwin.store.audit import canonical
from medtwin.store.keyring import Keyring
from twin.domain import Plan


def content_sha256(plan: Plan) -> str:
    """sha256 of the plan's canonical JSON (by alias, no evidence)."""
    return hashlib.sha256(plan.model_dump_json(by_alias=True).encode()).hexdigest()


def seal(doc: dict[str, Any], plan: Plan, keyring: Keyring) -> dict[str, Any]:
    """``doc`` bound to ``plan`` and sealed."""
    body = {k: v for k, v in doc.items() if k != "signature"}
    body["plan_sha256"] = content_sha256(plan)
    return {**body, "signature": keyring.mac("evidence", canonical(body))}


def seal_problem(doc: dict[str, Any], plan_sha256: str, keyring: Keyring) -> str | None:
    """Why ``doc`` is not medtwin's evidence for the plan whose content hash is
    ``plan_sha256``, or ``None``."""
    signature = doc.get("signature")
    body = {k: v for k, v in doc.items() if k != "signature"}
    if not isinstance(signature, str):
        return "it carries no seal: stress evidence must come from `medtwin stress` or the " \
               "nightly, not be written by hand"
    if signature != keyring.mac("evidence", canonical(body)):
        return "its seal does not match: it was edited, or sealed with another store's key"
    if body.get("plan_sha256") != plan_sha256:
        return "it is about another plan (plan_sha256 differs from this plan's content)"
    return None
