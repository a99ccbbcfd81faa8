"""Tables of the plan store (SQLAlchemy 2.0 typed ORM) and opening a store from a URL."""

import contextlib
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import ForeignKey, Integer, String, Text, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from medtwin.store.location import redacted, store_url, store_url_problem
from twin.problems import InputError, Problem


class Base(DeclarativeBase):
    """Declarative base of the store's tables."""


class UserRow(Base):
    """A person (or the ``auto`` approver) and their role."""

    __tablename__ = "users"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(256), nullable=True)
    created: Mapped[str] = mapped_column(String(32))


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
    """One append-only audit entry; ``hash`` = sha256(prev_hash ‖ canonical JSON of the row)."""

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
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()


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


def open_store(url: str | None = None) -> sessionmaker:
    """A session factory for the store at ``url`` (tables created on first use).

    A URL that is not one, a database without its driver installed, or a file that is not
    a database (or cannot be created) is an :class:`~twin.problems.InputError`.
    """
    resolved = store_url(url)
    problem = store_url_problem(resolved)
    if problem is not None:
        raise store_problem(resolved, problem)
    try:
        engine = create_engine(resolved)
    except ImportError as exc:
        raise store_problem(resolved, f"its database driver is not installed ({exc.name or exc})"
                            ) from None
    except ArgumentError as exc:
        raise store_problem(resolved, exc) from None
    if engine.dialect.name == "sqlite":
        _sqlite_pragmas(engine)
    created = []
    if resolved.startswith("sqlite:///") and resolved != "sqlite:///:memory:":
        folder = Path(resolved.removeprefix("sqlite:///").partition("?")[0]).parent
        created = [p for p in (folder, *folder.parents) if not p.exists()]
        folder.mkdir(parents=True, exist_ok=True)
    try:
        _create_tables(engine)
    except DBAPIError as exc:
        engine.dispose()
        for empty in created:
            with contextlib.suppress(OSError):
                empty.rmdir()
        raise store_problem(resolved, exc.orig) from None
    return sessionmaker(engine, expire_on_commit=False)


def _create_tables(engine: Engine) -> None:
    try:
        Base.metadata.create_all(engine)
    except OperationalError as exc:  # another process created the tables meanwhile
        if "already exists" not in str(exc):
            raise
        Base.metadata.create_all(engine)
