"""``scrutiny serve``, ``scrutiny user`` and ``scrutiny audit``: the web workbench, its
accounts and audit log (thin: parse, call ``scrutiny.web``, print)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from scrutiny.cli import CASE_ARG, _actor, _ask_passphrase, _friendly, _open
from scrutiny.console import console
from scrutiny.core import ScrutinyError

PASSWORD_ENV = "SCRUTINY_USER_PASSWORD"  # noqa: S105 - the variable's name, not a password


def _password(confirm: bool = True) -> str:
    env = os.environ.get(PASSWORD_ENV)
    if env:
        return env
    if not sys.stdin.isatty():
        raise ScrutinyError(f"no terminal to ask for the password: set {PASSWORD_ENV}")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=confirm,
                            err=True))


@click.group("user")
def user_group() -> None:
    """Accounts of the web workbench (viewer, reviewer, admin)."""


@user_group.command("add")
@CASE_ARG
@click.argument("name")
@click.option("--role", type=click.Choice(["viewer", "reviewer", "admin"]), required=True,
              help="viewer reads; reviewer also judges matches, adds evidence and writes "
                   "redacted reports and exports; admin also ingests, exports unredacted, "
                   "manages users and reads the audit log.")
@click.option("--by", help="Who creates it (default: your user name).")
@_friendly
def user_add(case: Path, name: str, role: str, by: str | None) -> None:
    """Create account NAME in CASE; the password is asked for (or read from
    SCRUTINY_USER_PASSWORD) and stored only as a scrypt hash."""
    from scrutiny.web.accounts import add_user

    password = _password()
    with _open(case, writable=True) as c:
        u = add_user(c, name, role, password, by=_actor(by))
    console.print(f"user {escape(u.name)} ({u.role}) created", highlight=False)


@user_group.command("set")
@CASE_ARG
@click.argument("name")
@click.option("--role", type=click.Choice(["viewer", "reviewer", "admin"]))
@click.option("--password", "new_password", is_flag=True, help="Set a new password.")
@click.option("--disable/--enable", "disabled", default=None)
@click.option("--by", help="Who changes it (default: your user name).")
@_friendly
def user_set(case: Path, name: str, role: str | None, new_password: bool,
             disabled: bool | None, by: str | None) -> None:
    """Change account NAME: role, password, disabled (the history is kept)."""
    from scrutiny.web.accounts import change_user

    password = _password() if new_password else None
    with _open(case, writable=True) as c:
        u = change_user(c, name, by=_actor(by), role=role, password=password,
                        disabled=disabled)
    console.print(f"user {escape(u.name)}: {u.role}" + (", disabled" if u.disabled else ""),
                  highlight=False)


@user_group.command("list")
@CASE_ARG
@click.option("--json", "as_json", is_flag=True)
@_friendly
def user_list(case: Path, as_json: bool) -> None:
    """The accounts of CASE (never their passwords)."""
    from scrutiny.web.accounts import list_users

    with _open(case) as c:
        users = list_users(c.db)
    if as_json:
        click.echo(json.dumps([u.to_json() for u in users], indent=2, ensure_ascii=False))
        return
    t = Table()
    for col in ("user", "role", "disabled", "created", "last change"):
        t.add_column(col)
    for u in users:
        t.add_row(escape(u.name), u.role, "yes" if u.disabled else "", u.created_at[:19],
                  f"{u.changed_at[:19]} by {escape(u.changed_by)}")
    console.print(t)


@click.command("audit")
@CASE_ARG
@click.option("--user", help="Only what this user did.")
@click.option("--limit", type=click.IntRange(1), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@_friendly
def audit_cmd(case: Path, user: str | None, limit: int, as_json: bool) -> None:
    """The audit log of CASE, newest first: who viewed or changed what, when."""
    from scrutiny.web.accounts import iter_audit

    with _open(case) as c:
        entries = list(iter_audit(c.db, user=user, limit=limit))
    if as_json:
        click.echo(json.dumps([e.to_json() for e in entries], indent=2, ensure_ascii=False))
        return
    for e in entries:
        console.print(f"{e.at[:19]} {escape(e.user)} {e.action} {escape(e.subject or '')}",
                      highlight=False)
    if not entries:
        console.print("the audit log is empty")


@click.command("serve")
@CASE_ARG
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. The default is this computer only; anything else "
                   "lets other machines reach the workbench (put HTTPS in front of it).")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
@click.option("--secure-cookies", is_flag=True,
              help="Mark cookies Secure (when the workbench is reached through HTTPS).")
@_friendly
def serve_cmd(case: Path, host: str, port: int, secure_cookies: bool) -> None:
    """Serve CASE as a local web workbench: browse evidence and records, review matches,
    keep the ledger. Log in with an account made by 'scrutiny user add'. An encrypted case
    asks for its passphrase once, at start."""
    import uvicorn

    from scrutiny.web.accounts import list_users
    from scrutiny.web.app import create_app
    from scrutiny.web.workbench import Workbench

    bench = Workbench(case, passphrase=_ask_passphrase)
    if not list_users(bench.reader().db):
        bench.close()
        raise ScrutinyError(f"no accounts yet: make one first, e.g. 'scrutiny user add {case} "
                            "NAME --role admin'")
    if host not in ("127.0.0.1", "localhost", "::1"):
        console.print(f"[bold yellow]warning:[/] listening on {escape(host)}: other machines "
                      "can reach this workbench; use HTTPS in front of it")
    console.print(f"scrutiny workbench on http://{escape(host)}:{port}/ (Ctrl-C stops it)",
                  highlight=False)
    try:
        uvicorn.run(create_app(bench, secure_cookies=secure_cookies), host=host, port=port,
                    log_level="warning", server_header=False, access_log=False)
    finally:
        bench.close()


def register(group: click.Group) -> None:
    """Add the serve, account and audit commands to the ``scrutiny`` command group."""
    group.add_command(serve_cmd)
    group.add_command(user_group)
    group.add_command(audit_cmd)
