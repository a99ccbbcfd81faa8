"""Tables of the plan store (SQLAlchemy 2.0 typed ORM) and opening a store from a URL."""

import contextlib
from collections.abc import Iterator

from sqlalchemy import ForeignKey, Integer, String, Text, create_engine, event, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from medtwin.store.location import redacted, sqlite_file, store_url, store_url_problem
from twin.problems import InputError, Problem


class Base(DeclarativeBase):
    """Declarative base of the store's tables."""


SCHEMA_VERSION = 2
"""Version of the tables below; a store made by another version is refused, not patched."""


class MetaRow(Base):
    """The store's one metadata row: its schema version. Every write transaction locks it
    first, so that writes (and the audit chain's next sequence number) are serialised."""

    __tablename__ = "store_meta"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    schema: Mapped[int] = mapped_column(Integer)


class UserRow(Base):
    """A person or service, its role and how it proves who it is: the OS account it logs in
    with, the sha256 of its API token, the scrypt hash of its dashboard password."""

    __tablename__ = "users"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    os_account: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    token_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(256), nullable=True)
    created: Mapped[str] = mapped_column(String(32))


class RulesRow(Base):
    """A version of the auto-approval rules (the newest is in force), set by a manager."""

    __tablename__ = "approval_rules"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    rules_json: Mapped[str] = mapped_column(Text)
    set_by: Mapped[str] = mapped_column(String(64))
    time: Mapped[str] = mapped_column(String(32))


class PlanRow(Base):
    """A plan as submitted (its JSON kept verbatim) and where it stands."""

    __tablename__ = "plans"
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    network: Mapped[str] = mapped_column(String(128), index=True)
    as_of: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    added: Mapped[str] = mapped_column(String(32))
    plan_json: Mapped[str] = mapped_column(Text)
    plan_sha256: Mapped[str] = mapped_column(String(64))
    """sha256 of ``plan_json``: the content the evidence and the decisions are bound to."""
    evidence_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    evidence_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)


class LineRow(Base):
    """One plan line: its key, kind and decision (approved lines are the ones published)."""

    __tablename__ = "plan_lines"
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    approved: Mapped[bool] = mapped_column(default=False)
    published: Mapped[bool] = mapped_column(default=False)


class DecisionRow(Base):
    """An approval or rejection: who, when, which lines, the comment and the evidence seen."""

    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id"), index=True)
    user: Mapped[str] = mapped_column(String(64))
    time: Mapped[str] = mapped_column(String(32))
    decision: Mapped[str] = mapped_column(String(16))
    lines: Mapped[str] = mapped_column(Text)
    comment: Mapped[str] = mapped_column(Text)
    evidence_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)


class AuditRow(Base):
    """One append-only audit entry; ``hash`` = HMAC-SHA256(key, prev_hash ‖ canonical JSON
    of the row) with the key from the store's secrets (:mod:`medtwin.store.keyring`)."""

    __tablename__ = "audit"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    time: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    plan_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


def _sqlite_pragmas(engine: Engine) -> None:
    """Foreign keys on, wait for a lock rather than fail, and let :func:`write_lock` begin
    its transactions itself (pysqlite's own BEGIN would be DEFERRED)."""
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()


def write_lock(session: Session) -> None:
    """Make ``session``'s transaction the only writer of the store until it ends: SQLite's
    ``BEGIN IMMEDIATE``, PostgreSQL's row lock on the metadata row. A second writer waits;
    when it goes on it reads what the first committed."""
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        session.execute(select(MetaRow).where(MetaRow.id == 1).with_for_update())


@contextlib.contextmanager
def refused_writes() -> Iterator[None]:
    """A database error while the store is used (a read-only database file, a full disk)
    becomes an :class:`~twin.problems.InputError`: the transaction was rolled back."""
    try:
        yield
    except OperationalError as exc:
        raise InputError([Problem("<store>", "", f"cannot use the plan store: {exc.orig}; "
                                                 "nothing changed")]) from None


def store_problem(url: str, why: object) -> InputError:
    """The input error of a store that cannot be opened or used (the URL shown redacted)."""
    return InputError([Problem(f"--store {redacted(url)}", "", f"cannot use the plan store: "
                                                               f"{why}")])


def engine_url(url: str) -> str:
    """The SQLAlchemy URL to open: ``postgresql://`` means psycopg (3), the driver of the
    ``postgresql`` extra."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def open_store(url: str | None = None) -> sessionmaker:
    """A session factory for the store at ``url`` (tables created on first use).

    A URL that is not one, a database without its driver installed, a file that is not
    a database (or cannot be created), or a store of another schema version is an
    :class:`~twin.problems.InputError`.
    """
    resolved = store_url(url)
    problem = store_url_problem(resolved)
    if problem is not None:
        raise store_problem(resolved, problem)
    try:
        engine = create_engine(engine_url(resolved))
    except ImportError as exc:
        raise store_problem(resolved, f"its database driver is not installed ({exc.name or exc}"
                                      "; pip install 'medtwin[postgresql]')") from None
    except ArgumentError as exc:
        raise store_problem(resolved, exc) from None
    if engine.dialect.name == "sqlite":
        _sqlite_pragmas(engine)
    created = []
    file = sqlite_file(resolved)
    if file is not None:
        folder = file.parent
        created = [p for p in (folder, *folder.parents) if not p.exists()]
        folder.mkdir(parents=True, exist_ok=True)
    try:
        _create_tables(engine)
        schema = _schema(engine)
    except DBAPIError as exc:
        engine.dispose()
        for empty in created:
            with contextlib.suppress(OSError):
                empty.rmdir()
        raise store_problem(resolved, exc.orig) from None
    if schema != SCHEMA_VERSION:
        engine.dispose()
        raise store_problem(resolved, f"it was made by another version of medtwin (schema "
                                      f"{schema}, this one reads {SCHEMA_VERSION}); start a "
                                      "new store or use that version")
    return sessionmaker(engine, expire_on_commit=False, info={"store_url": resolved})


def _create_tables(engine: Engine) -> None:
    try:
        Base.metadata.create_all(engine)
    except (OperationalError, IntegrityError) as exc:  # another process created them meanwhile
        if "already exists" not in str(exc) and "duplicate" not in str(exc).lower():
            raise
        Base.metadata.create_all(engine)
    try:
        with Session(engine) as s, s.begin():
            if s.get(MetaRow, 1) is None:
                s.add(MetaRow(id=1, schema=SCHEMA_VERSION if _empty(s) else 1))
    except IntegrityError:  # another process added it meanwhile
        pass


def _empty(s: Session) -> bool:
    """Whether the store holds no plan, user or audit row (a new store)."""
    return all(s.scalars(select(t).limit(1)).first() is None
               for t in (UserRow, PlanRow, AuditRow))


def _schema(engine: Engine) -> int:
    with Session(engine) as s:
        columns = {c["name"] for c in inspect(engine).get_columns("users")}
        if "os_account" not in columns:
            return 1
        row = s.get(MetaRow, 1)
        return row.schema if row else 1
