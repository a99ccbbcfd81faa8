"""Where the plan store is: ``--store URL``, else ``$MEDTWIN_STORE``, else a SQLite file.

Standard library only, so that the command line can show the default in its help without
importing SQLAlchemy.
"""

import os

ENV_STORE = "MEDTWIN_STORE"
DEFAULT_URL = "sqlite:///out/medtwin.db"


def store_url(url: str | None = None) -> str:
    """``url``, else ``$MEDTWIN_STORE``, else :data:`DEFAULT_URL`."""
    return url or os.environ.get(ENV_STORE) or DEFAULT_URL
