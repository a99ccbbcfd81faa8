"""The append-only, hash-chained audit log.

Row n stores ``hash_n = sha256(hash_{n-1} ‖ canonical JSON of (seq, time, actor, action,
plan_id, payload))`` with ``hash_0`` = 64 zeros. Editing a row breaks its own hash;
deleting one breaks the sequence and the next row's ``prev_hash``; appending a forged row
at the end needs the hash of its predecessor — :func:`verify` recomputes the whole chain.
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from medtwin.store.db import AuditRow

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    """JSON with sorted keys and no spaces: the bytes that are hashed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def row_hash(prev_hash: str, seq: int, time: str, actor: str, action: str,
             plan_id: str | None, payload: str) -> str:
    """The chained hash of one audit row."""
    body = canonical({"seq": seq, "time": time, "actor": actor, "action": action,
                      "plan_id": plan_id, "payload": payload})
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def append(session: Session, *, time: str, actor: str, action: str, plan_id: str | None,
           payload: dict[str, Any]) -> AuditRow:
    """Add the next audit row to ``session`` (committed with the change it records)."""
    last = session.scalars(select(AuditRow).order_by(AuditRow.seq.desc()).limit(1)).first()
    seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
    text = canonical(payload)
    row = AuditRow(seq=seq, time=time, actor=actor, action=action, plan_id=plan_id,
                   payload=text, prev_hash=prev,
                   hash=row_hash(prev, seq, time, actor, action, plan_id, text))
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class Verification:
    """Outcome of :func:`verify`: rows checked and the first problem, if any."""

    rows: int
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(session: Session) -> Verification:
    """Recompute the chain; report the first edited, deleted or reordered row."""
    prev, expected_seq, n = GENESIS, 1, 0
    for row in session.scalars(select(AuditRow).order_by(AuditRow.seq)):
        n += 1
        if row.seq != expected_seq:
            return Verification(n, f"row {expected_seq} is missing (next row is {row.seq}): "
                                   "a row was deleted")
        if row.prev_hash != prev:
            return Verification(n, f"row {row.seq}: prev_hash does not match row "
                                   f"{row.seq - 1}'s hash: the chain was altered")
        want = row_hash(prev, row.seq, row.time, row.actor, row.action, row.plan_id,
                        row.payload)
        if row.hash != want:
            return Verification(n, f"row {row.seq} ({row.action} by {row.actor} at "
                                   f"{row.time}) was edited: its hash does not match")
        prev, expected_seq = row.hash, expected_seq + 1
    return Verification(n)
