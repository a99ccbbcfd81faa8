"""Where the plan store is: ``--store URL``, else ``$MEDTWIN_STORE``, else a SQLite file.

Standard library only, so that the command line can show the default in its help without
importing SQLAlchemy.
"""

import os
import re
from pathlib import Path

ENV_STORE = "MEDTWIN_STORE"
DEFAULT_URL = "sqlite:///out/medtwin.db"
DIALECTS = ("sqlite", "postgresql")
"""Databases the store runs on (``dialect[+driver]://…``)."""
_URL = re.compile(r"(?P<dialect>[a-z][a-z0-9]*)(\+[a-z0-9_]+)?://(?P<rest>.*)", re.IGNORECASE)


def store_url(url: str | None = None) -> str:
    """``url``, else ``$MEDTWIN_STORE``, else :data:`DEFAULT_URL`."""
    return url or os.environ.get(ENV_STORE) or DEFAULT_URL


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL (``sqlite:///FILE``, also in SQLite's URI form
    ``sqlite:///file:FILE?mode=ro&uri=true``); None for another database or ``:memory:``."""
    if not url.startswith("sqlite:///") or url.endswith(":memory:"):
        return None
    path, _, query = url.removeprefix("sqlite:///").partition("?")
    if "uri=true" in query and path.startswith("file:"):
        path = path.removeprefix("file:")
    return Path(path)


def redacted(url: str) -> str:
    """``url`` with any password replaced by ``***`` (safe to print)."""
    return re.sub(r"://([^:/@]*):[^@/]*@", r"://\1:***@", url)


def store_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a plan store, or ``None``; checked before anything is opened.

    It must be a SQLAlchemy URL of a supported database (:data:`DIALECTS`); a SQLite file
    must not be a folder nor lie below a regular file.
    """
    match = _URL.fullmatch(url)
    if match is None:
        return (f"not a database URL: give sqlite:///FILE or postgresql://HOST/DATABASE "
                f"(a path needs the sqlite:/// prefix), got {url!r}")
    dialect = match["dialect"].lower()
    if dialect not in DIALECTS:
        return f"unsupported database {dialect!r}: the store runs on {', '.join(DIALECTS)}"
    if dialect != "sqlite" or url.endswith(":memory:"):
        return None
    if not match["rest"].startswith("/"):
        return "a SQLite URL has three slashes and a file: sqlite:///FILE"
    file = Path(match["rest"][1:].partition("?")[0])
    if file.is_dir():
        return f"{file} is a folder; name a database file inside it"
    blocker = next((p for p in file.parents if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        return f"{blocker} is a file, not a folder"
    return None
