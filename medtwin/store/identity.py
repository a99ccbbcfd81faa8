"""Who is acting at the command line and in the nightly: the holder of the API token in
the user's secrets file (``MEDTWIN_SECRETS``, a YAML file of mode 600 with ``token:``),
else the store user mapped to the process's OS account. A name the caller types
(``--user``) is only compared with that identity, never trusted in its place.
"""

import os
import pwd
from pathlib import Path

from medtwin.store.accounts import Accounts, NotAuthenticated
from medtwin.store.roles import NotPermitted
from twin.private_yaml import SecretsUnreadable, read_private_yaml

ENV_SECRETS = "MEDTWIN_SECRETS"


def os_account() -> str:
    """The name of the process's effective OS account."""
    return pwd.getpwuid(os.geteuid()).pw_name


def token_from(path: Path) -> str:
    """The ``token`` of a user's secrets file; refused when the file is open to others."""
    try:
        found = read_private_yaml(path)
    except SecretsUnreadable as exc:
        if exc.missing:
            raise NotAuthenticated(f"{ENV_SECRETS} names {path}, which does not exist"
                                   ) from None
        raise NotAuthenticated(f"secrets file {path} {exc}") from None
    if found.open_to_others:
        raise NotAuthenticated(f"secrets file {path} is readable by group or others; "
                               "chmod 600 it (its token is refused until then)")
    token = found.doc.get("token")
    if not isinstance(token, str) or not token:
        raise NotAuthenticated(f"secrets file {path} has no 'token:'")
    return token


def acting_user(store: Accounts, claimed: str | None = None,
                env: dict[str, str] | None = None) -> str:
    """The store user this process acts as, checked now; ``claimed`` (``--user``) must be
    that user (:class:`NotPermitted` otherwise)."""
    env = dict(os.environ) if env is None else env
    secrets_file = env.get(ENV_SECRETS)
    if secrets_file:
        name = store.identify_token(token_from(Path(secrets_file)), secrets_file)
        how = f"the token in {secrets_file}"
    else:
        account = os_account()
        name = store.identify_os(account)
        how = f"OS account {account!r}"
    if claimed and claimed != name:
        raise NotPermitted(f"you are {name!r} (by {how}); --user cannot act as {claimed!r}")
    return name


def write_token_file(path: Path, token: str) -> None:
    """Write a user's secrets file (mode 600, refusing to overwrite one; its folder is made
    when missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(f"# a medtwin user's API token: set {ENV_SECRETS} to this file\n"
                f"token: \"{token}\"\n")
