"""Users, how they prove who they are, and the approval rules: only managers change them,
every change is audited (the payload is the whole new row, so the table can be rebuilt
from the log), and the first manager comes from an explicit bootstrap of an empty store.
"""

import hashlib
import json
import re
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from configs import bundled
from medtwin.store.base import StoreBase, StoreConflict, UnknownUser
from medtwin.store.db import RulesRow, UserRow
from medtwin.store.keyring import create_keyring
from medtwin.store.roles import NotPermitted, Permission, Role, require
from medtwin.store.rules import ApprovalRules, load_rules
from medtwin.store.users import check_password, hash_password
from twin.problems import InputError, Problem

USER_NAME = re.compile(r"[A-Za-z][A-Za-z0-9._-]{0,63}")
AUTO_USER = "auto"
"""The name auto-approvals are recorded under (reserved: no one can be, or log in as, it)."""


class NotAuthenticated(NotPermitted):
    """No store user matches the credential presented."""


def token_sha256(token: str) -> str:
    """The digest the store keeps of an API token (tokens are 256-bit random)."""
    return hashlib.sha256(token.encode()).hexdigest()


def user_doc(row: UserRow) -> dict[str, str | None]:
    """A user row as its audit payload."""
    return {"user": row.name, "role": row.role, "os_account": row.os_account,
            "token_sha256": row.token_sha256, "password_hash": row.password_hash}


def check_name(name: str, field: str = "NAME") -> None:
    """A user name: a letter, then up to 63 letters, digits, ``.``, ``_`` or ``-``."""
    if not USER_NAME.fullmatch(name or "") or name == AUTO_USER:
        why = "is reserved for auto-approvals" if name == AUTO_USER else (
            "must start with a letter and hold only letters, digits, '.', '_' or '-' "
            "(at most 64)")
        raise InputError([Problem(field, "", f"user name {name!r} {why}")])


class Accounts(StoreBase):
    """Users, credentials and approval rules."""

    def _set_user(self, s: Session, actor: str, row: UserRow) -> None:
        self._log(s, actor, "user_set", None, user_doc(row))

    def bootstrap(self, name: str, os_account: str, password: str | None = None) -> None:
        """Make ``name`` the first manager, logging in as OS account ``os_account``; only
        on a store without users. Writes the store's secrets file when there is none."""
        check_name(name)
        with self._sessions() as s:
            if s.scalars(select(UserRow).limit(1)).first() is not None:
                raise NotPermitted("the store already has users: only a manager adds users "
                                   "(`medtwin users add`)")
        keyring = create_keyring(self.url)
        if keyring.head_entries():
            raise NotPermitted(f"the checkpoint file {keyring.head} records an audit trail this "
                               "store does not hold: it was emptied or replaced (a new store "
                               "needs its own secrets and checkpoint files)")
        self.__dict__["keyring"] = keyring
        with self._tx() as s:
            if s.scalar(select(func.count()).select_from(UserRow)):
                raise NotPermitted("the store already has users: only a manager adds users")
            row = UserRow(name=name, role=str(Role.MANAGER), os_account=os_account,
                          created=self._now(s),
                          password_hash=hash_password(password) if password else None)
            s.add(row)
            self._set_user(s, name, row)

    def add_user(self, actor: str, name: str, role: Role, *, os_account: str | None = None,
                 password: str | None = None) -> None:
        """``actor`` (a manager) adds user ``name`` with ``role``."""
        check_name(name)
        with self._tx() as s:
            require(actor, self._role(s, actor), Permission.MANAGE_USERS)
            if s.get(UserRow, name) is not None:
                raise StoreConflict(f"user {name!r} already exists")
            if os_account and s.scalars(select(UserRow).where(
                    UserRow.os_account == os_account)).first() is not None:
                raise StoreConflict(f"OS account {os_account!r} already belongs to a user")
            row = UserRow(name=name, role=str(role), os_account=os_account or None,
                          created=self._now(s),
                          password_hash=hash_password(password) if password else None)
            s.add(row)
            s.flush()
            self._set_user(s, actor, row)

    def set_role(self, actor: str, name: str, role: Role) -> None:
        """``actor`` (a manager) gives ``name`` a new role; the last manager stays one."""
        with self._tx() as s:
            require(actor, self._role(s, actor), Permission.MANAGE_USERS)
            row = s.get(UserRow, name)
            if row is None:
                raise UnknownUser(f"unknown user {name!r}")
            managers = s.scalar(select(func.count()).select_from(UserRow).where(
                UserRow.role == str(Role.MANAGER)))
            if row.role == Role.MANAGER and role != Role.MANAGER and managers == 1:
                raise StoreConflict(f"{name!r} is the last manager; make another first")
            row.role = str(role)
            self._set_user(s, actor, row)

    def _set_credential(self, actor: str, name: str, column: str, value: str) -> None:
        """Set one credential column of ``name``: themself, or a manager for anyone."""
        with self._tx() as s:
            if actor != name:
                require(actor, self._role(s, actor), Permission.MANAGE_USERS)
            row = s.get(UserRow, name)
            if row is None:
                raise UnknownUser(f"unknown user {name!r}")
            setattr(row, column, value)
            self._set_user(s, actor, row)

    def issue_token(self, actor: str, name: str) -> str:
        """A new API token for ``name`` (returned once; the store keeps its sha256). A user
        may renew their own; a manager, anyone's. The old token stops working."""
        token = secrets.token_hex(32)
        self._set_credential(actor, name, "token_sha256", token_sha256(token))
        return token

    def set_password(self, actor: str, name: str, password: str) -> None:
        """Set ``name``'s dashboard password (themself, or a manager)."""
        self._set_credential(actor, name, "password_hash", hash_password(password))

    # -- who is acting ----------------------------------------------------------------
    def identify_os(self, account: str) -> str:
        """The store user logging in as OS account ``account``."""
        with self._sessions() as s:
            row = s.scalars(select(UserRow).where(UserRow.os_account == account)).first()
        if row is None:
            raise NotAuthenticated(
                f"OS account {account!r} is not a user of this store: a manager adds you "
                f"(`medtwin users add NAME --role ROLE --os-account {account}`), or an empty "
                "store is bootstrapped (`medtwin users bootstrap NAME`)")
        return row.name

    def identify_token(self, token: str, source: str) -> str:
        """The store user holding API ``token`` (read from ``source``)."""
        with self._sessions() as s:
            row = s.scalars(select(UserRow).where(
                UserRow.token_sha256 == token_sha256(token))).first()
        if row is None:
            raise NotAuthenticated(f"the token in {source} is not valid for this store "
                                   "(renewed, or from another store)")
        return row.name

    def authenticate(self, name: str, password: str) -> Role | None:
        """The user's role when ``password`` is theirs, else None (the dashboard login)."""
        with self._sessions() as s:
            row = s.get(UserRow, name)
            return Role(row.role) if row and check_password(password, row.password_hash) \
                else None

    def users(self) -> list[tuple[str, Role]]:
        """(name, role) of every user, by name."""
        with self._sessions() as s:
            return [(u.name, Role(u.role)) for u in s.scalars(select(UserRow)
                                                               .order_by(UserRow.name))]

    def require(self, name: str, permission: Permission) -> None:
        """Raise :class:`NotPermitted` unless user ``name``'s role, read now, has
        ``permission`` (:class:`UnknownUser` if there is no such user)."""
        with self._sessions() as s:
            require(name, self._role(s, name), permission)

    def role_of(self, name: str) -> Role:
        """The role of user ``name`` (:class:`UnknownUser` if none)."""
        with self._sessions() as s:
            return self._role(s, name)

    # -- approval rules ---------------------------------------------------------------
    def rules(self) -> tuple[int, ApprovalRules]:
        """The rules in force and their version (0: the bundled defaults, never set)."""
        with self._sessions() as s:
            return self._rules(s)

    @staticmethod
    def _rules(s: Session) -> tuple[int, ApprovalRules]:
        row = s.scalars(select(RulesRow).order_by(RulesRow.version.desc()).limit(1)).first()
        if row is None:
            return 0, load_rules(bundled("approval.yaml"))
        return row.version, ApprovalRules.model_validate_json(row.rules_json)

    def set_rules(self, actor: str, rules: ApprovalRules) -> int:
        """``actor`` (a manager) puts ``rules`` in force; their version."""
        with self._tx() as s:
            require(actor, self._role(s, actor), Permission.SET_RULES)
            version = self._rules(s)[0] + 1
            doc = json.loads(rules.model_dump_json())
            s.add(RulesRow(version=version, rules_json=json.dumps(doc, sort_keys=True),
                           set_by=actor, time=self._now(s)))
            self._log(s, actor, "rules_set", None, {"version": version, "rules": doc})
        return version
