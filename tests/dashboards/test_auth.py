"""Server-side sessions: a login is an id the server looks up; logging out ends it for
every page opened with it."""

import pytest

from dashboards.auth import Login, SessionEnded, Sessions


def test_logout_ends_the_session_for_every_page() -> None:
    sessions = Sessions()
    sid = sessions.open("mia")
    tab1, tab2 = Login(sessions, sid, "mia"), Login(sessions, sid, "mia")
    other = Login(sessions, sessions.open("mia"), "mia")   # a second, separate login
    assert tab1.acting_user() == "mia" and sessions.user(sid) == "mia"
    sessions.close(sid)
    assert sessions.user(sid) is None
    for page in (tab1, tab2):
        with pytest.raises(SessionEnded, match="mia has logged out"):
            page.acting_user()
    assert other.acting_user() == "mia"
    assert sessions.user(None) is None and sessions.user("forged") is None
    sessions.close(sid)                                   # twice: nothing happens
