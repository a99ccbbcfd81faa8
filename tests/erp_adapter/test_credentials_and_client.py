"""Credentials and the JSON-RPC client without a server: URLs, secrets, unreachable hosts."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from erp_adapter.credentials import Credentials, load_credentials
from erp_adapter.errors import ErpAuthError, ErpError, ErpUnreachable
from erp_adapter.registry import open_adapter, url_problem
from erp_adapter.tryton.client import TrytonClient, _decode, _encode, parse_erp_url, redact_url
from erp_adapter.tryton.server import free_port
from twin.problems import InputError

SECRET = "s3cr3t-Pa55"


def test_url_names_one_database() -> None:
    assert parse_erp_url("http://127.0.0.1:8000/medtwin") == (
        "http://127.0.0.1:8000/medtwin/rpc/", "medtwin", None)
    assert parse_erp_url("https://erp.example:8443/prod/rpc/")[1] == "prod"
    assert parse_erp_url("http://planner@127.0.0.1:8000/db")[2] == "planner"
    for bad in ("127.0.0.1:8000/db", "http://127.0.0.1:8000/", "ftp://h/db", "http://h/a/b",
                "http://h:99999/db", "http://h:abc/db"):
        with pytest.raises(ErpError):
            parse_erp_url(bad)


def test_url_with_a_password_is_refused_without_repeating_it() -> None:
    with pytest.raises(ErpAuthError) as err:
        parse_erp_url(f"http://admin:{SECRET}@127.0.0.1:8000/db")
    assert SECRET not in str(err.value)
    assert SECRET not in redact_url(f"http://admin:{SECRET}@127.0.0.1:8000/db")


def test_credentials_from_env_then_secrets_file(tmp_path: Path) -> None:
    assert load_credentials({"MEDTWIN_ERP_USER": "u", "MEDTWIN_ERP_PASSWORD": SECRET}) == \
        Credentials("u", SECRET)
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text(f"user: planner\npassword: {SECRET}\n")
    secrets.chmod(0o600)
    creds = load_credentials({"MEDTWIN_ERP_SECRETS": str(secrets)})
    assert creds == Credentials("planner", SECRET)
    assert SECRET not in repr(creds) and SECRET not in str(creds)
    # the environment wins over the file, field by field
    assert load_credentials({"MEDTWIN_ERP_SECRETS": str(secrets),
                             "MEDTWIN_ERP_USER": "other"}).user == "other"


def test_missing_or_broken_credentials_say_what_to_set(tmp_path: Path) -> None:
    with pytest.raises(ErpAuthError, match="MEDTWIN_ERP_PASSWORD"):
        load_credentials({})
    with pytest.raises(ErpAuthError, match="does not exist"):
        load_credentials({"MEDTWIN_ERP_SECRETS": str(tmp_path / "nope.yaml")})
    broken = tmp_path / "broken.yaml"
    broken.write_text(f"user: [unclosed\npassword: {SECRET}\n")
    with pytest.raises(ErpAuthError) as err:
        load_credentials({"MEDTWIN_ERP_SECRETS": str(broken)})
    assert SECRET not in str(err.value)


def test_unreachable_server_is_a_clear_error() -> None:
    client = TrytonClient(f"http://127.0.0.1:{free_port()}/db", Credentials("admin", SECRET),
                          timeout=5)
    with pytest.raises(ErpUnreachable, match=r"did not answer common\.db\.login") as err:
        client.login()
    assert SECRET not in str(err.value)


def test_tryton_json_values_round_trip() -> None:
    import json
    for value in (dt.date(2026, 11, 23), dt.datetime(2026, 11, 23, 8, 30, 1, 5),
                  Decimal("12.3400"), dt.timedelta(days=3), b"\x00\x01"):
        assert json.loads(json.dumps(value, default=_encode), object_hook=_decode) == value


@pytest.mark.parametrize(("erp", "why"), [
    ("http://localhost:99999/db", "65535"), ("http://localhost:abc/db", "65535"),
    ("http://localhost:0/db", "65535"), ("https:///db", "names no host"),
    (f"http://admin:{SECRET}@localhost:8000/db", "must not carry a password")])
def test_an_erp_url_is_refused_before_any_adapter_opens(erp: str, why: str) -> None:
    assert why in url_problem(erp) and SECRET not in url_problem(erp)
    with pytest.raises(InputError, match="--erp"):
        open_adapter(erp, None)


def test_folders_and_good_urls_pass_the_check() -> None:
    assert url_problem("out/erp") is None and url_problem("http://127.0.0.1:8000/db") is None
