"""The plan store's secrets, kept outside its database: the key of the audit chain and
the append-only file that checkpoints the chain's head.

``MEDTWIN_STORE_SECRETS`` names a YAML file (mode 600)::

    audit_key: 64 hex digits        # HMAC-SHA256 key of the audit chain and of stress evidence
    audit_head: /var/lib/medtwin/audit-head   # append-only checkpoint (relative: to this file)

A SQLite store ``FILE`` defaults to ``FILE.secrets.yaml`` and ``FILE.audit-head`` beside
it; a PostgreSQL store needs the variable. The file is written by ``medtwin users
bootstrap`` on an empty store.
"""

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from medtwin.store.location import sqlite_file, store_url
from twin.private_yaml import SecretsUnreadable, read_private_yaml
from twin.problems import InputError, Problem

ENV_STORE_SECRETS = "MEDTWIN_STORE_SECRETS"


@dataclass(frozen=True)
class Keyring:
    """The audit key (never shown) and the checkpoint file."""

    source: Path
    head: Path
    key: bytes = field(repr=False)

    def mac(self, purpose: str, text: str) -> str:
        """HMAC-SHA256 of ``text`` under a key derived for ``purpose`` (hex)."""
        sub = hmac.new(self.key, purpose.encode(), hashlib.sha256).digest()
        return hmac.new(sub, text.encode(), hashlib.sha256).hexdigest()

    def checkpoint(self, seq: int, digest: str) -> None:
        """Append ``seq digest`` to the head file (one short ``O_APPEND`` write: atomic)."""
        fd = os.open(self.head, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, f"{seq} {digest}\n".encode())
            os.fsync(fd)
        finally:
            os.close(fd)

    def head_entries(self) -> list[tuple[int, str]] | None:
        """The checkpoints written so far (None when the file does not exist)."""
        try:
            text = self.head.read_text(encoding="ascii")
        except FileNotFoundError:
            return None
        out = []
        for line in text.splitlines():
            seq, _, digest = line.partition(" ")
            if seq.isdigit() and len(digest) == 64:
                out.append((int(seq), digest))
        return out


def secrets_path(url: str | None = None) -> Path:
    """Where the secrets of the store at ``url`` are: ``$MEDTWIN_STORE_SECRETS``, else beside
    a SQLite file; a problem for a store that has no file."""
    env = os.environ.get(ENV_STORE_SECRETS)
    if env:
        return Path(env)
    db = sqlite_file(store_url(url))
    if db is not None:
        return db.with_name(db.name + ".secrets.yaml")
    raise InputError([Problem(ENV_STORE_SECRETS, "", "not set: a store that is not a SQLite "
                              "file keeps its audit key in the file this variable names")])


def load_keyring(url: str | None = None) -> Keyring:
    """The keyring of the store at ``url``; an :class:`InputError` naming the file when it
    is missing, unreadable, open to others or malformed."""
    path = secrets_path(url)
    try:
        found = read_private_yaml(path)
    except SecretsUnreadable as exc:
        why = ("the store's secrets file does not exist: an empty store gets one from "
               f"`medtwin users bootstrap`; otherwise set {ENV_STORE_SECRETS}" if exc.missing
               else f"the store's secrets file {exc}")
        raise InputError([Problem(str(path), "", why)]) from None
    if found.open_to_others:
        raise InputError([Problem(str(path), "", "readable by group or others: chmod 600 it")])
    doc = found.doc
    key = doc.get("audit_key")
    try:
        raw = bytes.fromhex(str(key))
    except ValueError:
        raw = b""
    if len(raw) < 32:
        raise InputError([Problem(str(path), "audit_key", "must be at least 64 hex digits")])
    named = doc.get("audit_head")
    head = path.parent / str(named) if named else path.with_name(
        path.name.removesuffix(".secrets.yaml") + ".audit-head")
    return Keyring(path, head, raw)


def create_keyring(url: str | None = None) -> Keyring:
    """Write a new secrets file (mode 600) for the store at ``url`` unless one exists."""
    path = secrets_path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # kept (another process may have just written it)
        return load_keyring(url)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(f"# the plan store's secrets: keep them out of the database\n"
                f"audit_key: {secrets.token_hex(32)}\n")
    return load_keyring(url)
