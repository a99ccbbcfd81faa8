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
import stat
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from medtwin.store.location import sqlite_file, store_url
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
        mode = path.stat().st_mode
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError([Problem(str(path), "", "the store's secrets file does not exist: "
                                  "an empty store gets one from `medtwin users bootstrap`; "
                                  f"otherwise set {ENV_STORE_SECRETS}")]) from None
    except (OSError, yaml.YAMLError) as exc:
        raise InputError([Problem(str(path), "", f"cannot read: {type(exc).__name__}")]
                         ) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise InputError([Problem(str(path), "", "readable by group or others: chmod 600 it")])
    if not isinstance(doc, dict):
        raise InputError([Problem(str(path), "", "must be a mapping with audit_key")])
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
