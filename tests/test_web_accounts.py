"""Accounts and the audit log of the web workbench: scrypt hashes, roles, changes as new
rows, append-only audit, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scrutiny.case import Case
from scrutiny.cli import main
from scrutiny.core import ScrutinyError
from scrutiny.store import catalog
from scrutiny.web.accounts import (
    add_user,
    allowed,
    audit,
    authenticate,
    change_user,
    hash_password,
    iter_audit,
    list_users,
    verify_password,
)

FAST = 2**10  # the tests' scrypt cost; real accounts use 2**15
PASSWORD = "correct horse battery"


def test_passwords_are_salted_scrypt_hashes() -> None:
    a, b = hash_password(PASSWORD, n=FAST), hash_password(PASSWORD, n=FAST)
    assert a != b and a.startswith(f"scrypt${FAST}$8$1$") and PASSWORD not in a
    assert verify_password(PASSWORD, a) and verify_password(PASSWORD, b)
    assert not verify_password(PASSWORD + "!", a)
    assert not verify_password(PASSWORD, "md5$abc") and not verify_password(PASSWORD, "x")
    with pytest.raises(ScrutinyError, match="at least 10"):
        hash_password("short", n=FAST)


@pytest.mark.parametrize(("role", "can"), [
    ("viewer", {"read"}),
    ("reviewer", {"read", "judge", "add-evidence"}),
    ("admin", {"read", "judge", "add-evidence", "ingest", "manage-users", "read-audit"}),
])
def test_roles(role: str, can: set[str]) -> None:
    actions = {"read", "judge", "add-evidence", "ingest", "manage-users", "read-audit"}
    assert {a for a in actions if allowed(role, a)} == can
    assert not allowed(role, "delete-everything") and not allowed("guest", "read")


def test_accounts_change_by_new_rows(case: Case) -> None:
    u = add_user(case, "ana", "reviewer", PASSWORD, by="admin", n=FAST)
    assert (u.name, u.role, u.disabled) == ("ana", "reviewer", False)
    assert authenticate(case.db, "ana", PASSWORD) == u
    assert authenticate(case.db, "ana", "wrong password!") is None
    assert authenticate(case.db, "nobody", PASSWORD) is None
    with pytest.raises(ScrutinyError, match="already"):
        add_user(case, "ana", "viewer", PASSWORD, by="admin", n=FAST)
    for bad in ("", "two words", "x" * 65):
        with pytest.raises(ScrutinyError, match="user name"):
            add_user(case, bad, "viewer", PASSWORD, by="admin", n=FAST)
    with pytest.raises(ScrutinyError, match="role"):
        add_user(case, "bo", "owner", PASSWORD, by="admin", n=FAST)
    change_user(case, "ana", by="admin", disabled=True)
    assert authenticate(case.db, "ana", PASSWORD) is None  # disabled
    change_user(case, "ana", by="admin", disabled=False, role="admin",
                password="another long one", n=FAST)
    assert authenticate(case.db, "ana", PASSWORD) is None
    assert authenticate(case.db, "ana", "another long one").role == "admin"  # type: ignore[union-attr]
    assert case.db.execute("SELECT count(*) FROM user_changes").fetchone()[0] == 3
    for sql in ("UPDATE users SET name = 'x'", "DELETE FROM user_changes"):
        with pytest.raises(catalog.DatabaseError, match="new rows only"):
            case.db.execute(sql)
    events = [e for e in case.log.tail(5) if e.action == "user-changed"]
    assert events and all("scrypt" not in json.dumps(e.details) for e in events)


def test_the_audit_log_is_append_only_and_paged(case: Case) -> None:
    for i in range(5):
        audit(case.db, "ana", "viewed", f"record:{i}", {"page": "record"})
    got = list(iter_audit(case.db, limit=3))
    assert [e.subject for e in got] == ["record:4", "record:3", "record:2"]
    more = list(iter_audit(case.db, limit=3, before=got[-1].id))
    assert [e.subject for e in more] == ["record:1", "record:0"]
    assert list(iter_audit(case.db, user="bo")) == []
    for sql in ("UPDATE audit SET user = 'x'", "DELETE FROM audit"):
        with pytest.raises(catalog.DatabaseError, match="append-only"):
            case.db.execute(sql)


def test_user_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Case.create(tmp_path / "case", actor="test").close()
    root = str(tmp_path / "case")
    monkeypatch.setenv("SCRUTINY_USER_PASSWORD", PASSWORD)
    r = CliRunner().invoke(main, ["user", "add", root, "ana", "--role", "viewer"])
    assert r.exit_code == 0 and "ana (viewer) created" in r.output, r.output
    r = CliRunner().invoke(main, ["user", "set", root, "ana", "--role", "reviewer"])
    assert r.exit_code == 0 and "reviewer" in r.output
    r = CliRunner().invoke(main, ["user", "list", root, "--json"])
    (u,) = json.loads(r.output)
    assert (u["name"], u["role"]) == ("ana", "reviewer") and "password" not in u
    monkeypatch.setenv("SCRUTINY_USER_PASSWORD", "short")
    r = CliRunner().invoke(main, ["user", "add", root, "bo", "--role", "viewer"])
    assert r.exit_code == 2 and "at least 10" in r.output
    with Case.open(tmp_path / "case") as c:
        assert [x.name for x in list_users(c.db)] == ["ana"]
    r = CliRunner().invoke(main, ["audit", root])
    assert r.exit_code == 0 and "empty" in r.output
