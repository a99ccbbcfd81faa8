"""ERP credentials from environment variables or a secrets file, never from configs or URLs.

``MEDTWIN_ERP_USER`` and ``MEDTWIN_ERP_PASSWORD`` win; otherwise ``MEDTWIN_ERP_SECRETS``
names a YAML file with ``user:`` and ``password:``. The password is kept out of ``repr``
and every message.
"""

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from erp_adapter.errors import ErpAuthError
from twin.private_yaml import SecretsUnreadable, read_private_yaml

log = logging.getLogger(__name__)

ENV_USER = "MEDTWIN_ERP_USER"
ENV_PASSWORD = "MEDTWIN_ERP_PASSWORD"
ENV_SECRETS = "MEDTWIN_ERP_SECRETS"


@dataclass(frozen=True)
class Credentials:
    """A login and its password (the password never appears in ``repr``)."""

    user: str
    password: str = field(repr=False)

    def __str__(self) -> str:
        return f"user {self.user!r}"


def _from_file(path: Path) -> tuple[str | None, str | None]:
    try:
        found = read_private_yaml(path)
    except SecretsUnreadable as exc:
        if exc.missing:
            raise ErpAuthError(f"{ENV_SECRETS} names {path}, which does not exist") from None
        raise ErpAuthError(f"secrets file {path} {exc}; it must be a YAML mapping with user "
                           "and password") from None
    if found.open_to_others:
        log.warning("secrets file %s is readable by group or others; chmod 600 it", path)
    doc = found.doc
    user, password = doc.get("user"), doc.get("password")
    return (str(user) if user is not None else None,
            str(password) if password is not None else None)


def load_credentials(env: dict[str, str] | None = None) -> Credentials:
    """Credentials from ``MEDTWIN_ERP_USER``/``MEDTWIN_ERP_PASSWORD`` or ``MEDTWIN_ERP_SECRETS``."""
    env = dict(os.environ) if env is None else env
    user, password = env.get(ENV_USER), env.get(ENV_PASSWORD)
    if (user is None or password is None) and env.get(ENV_SECRETS):
        file_user, file_password = _from_file(Path(env[ENV_SECRETS]))
        user = user if user is not None else file_user
        password = password if password is not None else file_password
    if not user or password is None:
        raise ErpAuthError(
            f"no ERP credentials: set {ENV_USER} and {ENV_PASSWORD}, or {ENV_SECRETS} to a "
            "YAML file with 'user:' and 'password:' (never put them in a config or the URL)")
    return Credentials(user=user, password=password)
