"""Accounts of the web workbench and its audit log.

**Roles.** ``viewer`` reads; ``reviewer`` also judges matches, adds evidence and writes
redacted reports and exports; ``admin`` also ingests, exports without redaction, manages
users and reads the audit log (:func:`allowed`).

**Passwords** are hashed with scrypt (memory-hard; ``cryptography``'s implementation, the
library the case's encryption already uses): n = 2¹⁵, r = 8, p = 1 (32 MiB per check),
a 16-byte random salt, stored as ``scrypt$n$r$p$salt$hash`` (hex). Verification is
constant-time. A password shorter than :data:`MIN_PASSWORD` characters is refused.

**Changes** (role, password, disabling) are new rows of ``user_changes``: the newest row
stands and the history stays. Each change is also a custody event (``user-changed``,
without the password hash).

**Audit.** :func:`audit` appends who did what to what, when (every view of a person record
and every change, by the web app); :func:`iter_audit` reads it back, newest first, a page at
a time. The table refuses UPDATE and DELETE.
"""

from __future__ import annotations

import hmac
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from scrutiny.case import Case
from scrutiny.core import ScrutinyError, utc_now

__all__ = ["MIN_PASSWORD", "ROLES", "AuditEntry", "User", "add_user", "allowed", "audit",
           "authenticate", "change_user", "get_user", "hash_password", "iter_audit",
           "list_users", "verify_password"]

Role = Literal["viewer", "reviewer", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "reviewer", "admin")
MIN_PASSWORD = 10
_N, _R, _P = 2**15, 8, 1
_ABILITIES: dict[str, Role] = {
    "read": "viewer", "judge": "reviewer", "add-evidence": "reviewer", "export": "reviewer",
    "ingest": "admin", "export-unredacted": "admin", "manage-users": "admin",
    "read-audit": "admin"}


def allowed(role: str, action: str) -> bool:
    """Whether ``role`` may do ``action`` (read, judge, add-evidence, export, ingest,
    export-unredacted, manage-users, read-audit); unknown actions are refused."""
    need = _ABILITIES.get(action)
    if need is None or role not in ROLES:
        return False
    return ROLES.index(role) >= ROLES.index(need)


def hash_password(password: str, *, n: int = _N, salt: bytes | None = None) -> str:
    """The stored form of a password (see the module docstring)."""
    if len(password) < MIN_PASSWORD:
        raise ScrutinyError(f"a password has at least {MIN_PASSWORD} characters")
    salt = salt or os.urandom(16)
    digest = Scrypt(salt=salt, length=32, n=n, r=_R, p=_P).derive(password.encode("utf-8"))
    return f"scrypt${n}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (constant-time; False for a malformed one)."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = Scrypt(salt=bytes.fromhex(salt), length=32, n=int(n), r=int(r),
                     p=int(p)).derive(password.encode("utf-8"))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, bytes.fromhex(digest))


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: Role
    disabled: bool
    created_at: str
    changed_at: str
    changed_by: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


_NEWEST = ("SELECT u.id, u.name, c.role, c.disabled, u.created_at, c.at, c.by, c.password "
           "FROM users u JOIN user_changes c ON c.id = (SELECT max(id) FROM user_changes "
           "WHERE user_id = u.id)")


def _user(row: tuple[Any, ...]) -> User:
    return User(int(row[0]), row[1], row[2], bool(row[3]), row[4], row[5], row[6])


def _name(name: str) -> str:
    text = name.strip()
    if not text or len(text) > 64 or any(c.isspace() or not c.isprintable() for c in text):
        raise ScrutinyError(f"a user name is 1–64 printable characters without spaces, not "
                            f"{name!r}")
    return text


def _role(role: str) -> Role:
    if role not in ROLES:
        raise ScrutinyError(f"a role is one of {', '.join(ROLES)}, not {role!r}")
    return role


def add_user(case: Case, name: str, role: str, password: str, *, by: str,
             n: int = _N) -> User:
    """Create an account (custody event ``user-changed``)."""
    name, role = _name(name), _role(role)
    stored = hash_password(password, n=n)
    db = case.db
    if db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
        raise ScrutinyError(f"there is already a user {name!r}")
    with case.transaction():
        at = utc_now()
        uid = int(db.execute("INSERT INTO users(name, created_at, created_by) VALUES "
                             "(?, ?, ?)", (name, at, by)).lastrowid)
        db.execute("INSERT INTO user_changes(user_id, role, password, disabled, at, by) "
                   "VALUES (?, ?, ?, 0, ?, ?)", (uid, role, stored, at, by))
        case.record(by, "user-changed", None, {"user": name, "role": role, "new": True})
    return get_user(db, name)


def change_user(case: Case, name: str, *, by: str, role: str | None = None,
                password: str | None = None, disabled: bool | None = None,
                n: int = _N) -> User:
    """A new version of an account (what is not given is kept)."""
    db = case.db
    row = db.execute(_NEWEST + " WHERE u.name = ?", (name,)).fetchone()
    if row is None:
        raise ScrutinyError(f"no user {name!r}")
    new_role = _role(role) if role is not None else row[2]
    stored = hash_password(password, n=n) if password is not None else row[7]
    off = bool(row[3]) if disabled is None else disabled
    with case.transaction():
        db.execute("INSERT INTO user_changes(user_id, role, password, disabled, at, by) "
                   "VALUES (?, ?, ?, ?, ?, ?)", (row[0], new_role, stored, int(off),
                                                 utc_now(), by))
        case.record(by, "user-changed", None, {"user": name, "role": new_role,
                                               "disabled": off,
                                               "password_changed": password is not None})
    return get_user(db, name)


def get_user(db: Any, name: str) -> User:
    row = db.execute(_NEWEST + " WHERE u.name = ?", (name,)).fetchone()
    if row is None:
        raise ScrutinyError(f"no user {name!r}")
    return _user(row)


def list_users(db: Any) -> list[User]:
    return [_user(r) for r in db.execute(_NEWEST + " ORDER BY u.name")]


def authenticate(db: Any, name: str, password: str) -> User | None:
    """The user when the name and password match and the account is not disabled, else
    None (the same time is spent on an unknown name, so names cannot be probed)."""
    row = db.execute(_NEWEST + " WHERE u.name = ?", (name,)).fetchone()
    if row is None:
        verify_password(password, _dummy_hash())  # one scrypt, as for a known name
        return None
    if not verify_password(password, row[7]) or row[3]:
        return None
    return _user(row)


@cache
def _dummy_hash() -> str:
    return hash_password("x" * MIN_PASSWORD, n=_N, salt=b"\0" * 16)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    user: str
    action: str
    subject: str | None
    details: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def audit(db: Any, user: str, action: str, subject: str | None = None,
          details: Mapping[str, Any] | None = None) -> None:
    """Append one audit entry (its own statement: the caller's transaction, if any)."""
    db.execute("INSERT INTO audit(at, user, action, subject, details) VALUES (?, ?, ?, ?, ?)",
               (utc_now(), user, action, subject,
                json.dumps(dict(details or {}), ensure_ascii=False, default=str)))


def iter_audit(db: Any, *, user: str | None = None, limit: int = 100,
               before: int | None = None) -> Iterator[AuditEntry]:
    """Audit entries, newest first (``before``: an entry id, for the next page)."""
    rows = db.execute(
        "SELECT id, at, user, action, subject, details FROM audit WHERE (? IS NULL OR "
        "user = ?) AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?",
        (user, user, before, before, limit))
    for r in rows:
        yield AuditEntry(int(r[0]), r[1], r[2], r[3], r[4], json.loads(r[5]))
