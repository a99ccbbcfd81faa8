"""The append-only, keyed audit chain and its checkpoint outside the database.

Row n stores ``hash_n = HMAC-SHA256(k, hash_{n-1} ‖ canonical JSON of (seq, time, actor,
action, plan_id, payload))`` with ``hash_0`` = 64 zeros and ``k`` the store's key
(:mod:`medtwin.store.keyring`), which the database never holds: editing a row and
recomputing the chain needs the key. After each commit the head ``(n, hash_n)`` is
appended to the checkpoint file, so deleting the newest rows is seen too.
:func:`verify` checks both; :mod:`medtwin.store.replay` checks the tables against the log.
"""

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from medtwin.store.db import AuditRow
from medtwin.store.keyring import Keyring

GENESIS = "0" * 64
PENDING = "medtwin.audit.head"
"""``session.info`` key of the head to checkpoint once the transaction has committed."""


def canonical(value: Any) -> str:
    """JSON with sorted keys and no spaces: the bytes that are hashed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def row_hash(keyring: Keyring, prev_hash: str, seq: int, time: str, actor: str, action: str,
             plan_id: str | None, payload: str) -> str:
    """The keyed, chained hash of one audit row."""
    body = canonical({"seq": seq, "time": time, "actor": actor, "action": action,
                      "plan_id": plan_id, "payload": payload})
    return keyring.mac("audit", prev_hash + body)


def append(session: Session, keyring: Keyring, *, time: str, actor: str, action: str,
           plan_id: str | None, payload: dict[str, Any]) -> AuditRow:
    """Add the next audit row to ``session`` (committed with the change it records; the
    caller holds the store's write lock, so the sequence number is its own)."""
    last = session.scalars(select(AuditRow).order_by(AuditRow.seq.desc()).limit(1)).first()
    seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
    text = canonical(payload)
    row = AuditRow(seq=seq, time=time, actor=actor, action=action, plan_id=plan_id,
                   payload=text, prev_hash=prev,
                   hash=row_hash(keyring, prev, seq, time, actor, action, plan_id, text))
    session.add(row)
    session.flush()
    session.info[PENDING] = (seq, row.hash)
    return row


@dataclass(frozen=True)
class Verification:
    """Outcome of a check: rows checked, the first problem (if any) and remarks."""

    rows: int
    problem: str | None = None
    unconfirmed: int = 0
    """Rows after the last checkpoint (a writer stopped between commit and checkpoint)."""

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(session: Session, keyring: Keyring) -> Verification:
    """Recompute the chain with the key, then hold its head against the checkpoints: the
    first edited, reordered, forged or deleted row is named."""
    prev, expected_seq, n = GENESIS, 1, 0
    hashes: dict[int, str] = {}
    for row in session.scalars(select(AuditRow).order_by(AuditRow.seq)):
        n += 1
        if row.seq != expected_seq:
            return Verification(n, f"row {expected_seq} is missing (next row is {row.seq}): "
                                   "a row was deleted")
        if row.prev_hash != prev:
            return Verification(n, f"row {row.seq}: prev_hash does not match row "
                                   f"{row.seq - 1}'s hash: the chain was altered")
        want = row_hash(keyring, prev, row.seq, row.time, row.actor, row.action, row.plan_id,
                        row.payload)
        if row.hash != want:
            return Verification(n, f"row {row.seq} ({row.action} by {row.actor} at "
                                   f"{row.time}) was edited or forged: its keyed hash does "
                                   "not match")
        hashes[row.seq] = row.hash
        prev, expected_seq = row.hash, expected_seq + 1
    entries = keyring.head_entries()
    if entries is None:
        if n:
            return Verification(n, f"the checkpoint file {keyring.head} is missing: the "
                                   "newest rows cannot be confirmed")
        return Verification(0)
    for seq, digest in entries:
        if seq not in hashes:
            return Verification(n, f"rows {n + 1}–{seq} are missing: the checkpoint file "
                                   f"records row {seq}, the log ends at row {n} (the newest "
                                   "rows were deleted)")
        if hashes[seq] != digest:
            return Verification(n, f"row {seq} differs from its checkpoint: the log was "
                                   "rewritten from there")
    last = max((seq for seq, _ in entries), default=0)
    return Verification(n, None, n - last)
