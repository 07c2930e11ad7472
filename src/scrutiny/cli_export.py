"""``scrutiny export``: write a case's records, findings, matches and ledger as JSON Lines,
CSV or FollowTheMoney entities (thin: parse, call ``scrutiny.export.export_case``, print)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from scrutiny.cli import CASE_ARG, _actor, _friendly, _open
from scrutiny.console import console, err_console

NO_REDACT_WARNING = (
    "[bold yellow]warning:[/] --no-redact: this export holds the ID numbers, full birth dates, "
    "phone numbers and addresses of the people listed. In the wrong hands they endanger them "
    "and their families: keep it encrypted and share it with no one who does not need it.")
ENCRYPTED_NOTE = (
    "[bold]note:[/] this case is encrypted at rest, but the export is not: store it on an "
    "encrypted disk or encrypt it before it leaves this machine.")


@click.command("export")
@CASE_ARG
@click.option("--format", "fmt", type=click.Choice(["ftm", "csv", "json"]), required=True,
              help="json: JSON Lines, one object per line with a 'table' key; csv: a new "
                   "folder with one CSV per table; ftm: FollowTheMoney entities (JSON Lines; "
                   "needs the 'ftm' extra).")
@click.option("--what", metavar="TABLE,...",
              help="Tables to export: records, findings, matches, ledger (default: all; ftm "
                   "holds records and matches).")
@click.option("--no-redact", is_flag=True,
              help="Keep ID numbers, full birth dates, phone numbers and addresses. Without "
                   "it they are redacted.")
@click.option("-o", "--output", "out", required=True, type=click.Path(path_type=Path),
              help="The file (json, ftm) or new folder (csv) to write; never overwritten.")
@click.option("--actor", help="Who exports (default: your user name).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@_friendly
def export_cmd(case: Path, fmt: str, what: str | None, no_redact: bool, out: Path,
               actor: str | None, as_json: bool) -> None:
    """Export CASE's records, findings, matches and claims for use outside scrutiny.

    ID numbers, phone numbers and addresses (all but the county) are redacted and birth
    dates cut to the year, in every field and in free text, unless --no-redact is given.
    Every export is recorded in the chain of custody with the SHA-256 of what it wrote.
    """
    from scrutiny.export import export_case

    if no_redact:
        err_console.print(NO_REDACT_WARNING)
    with _open(case, writable=True) as c:
        if c.encrypted:
            err_console.print(ENCRYPTED_NOTE)
        s = export_case(c, fmt, out, what, redact=not no_redact, actor=_actor(actor))
    if as_json:
        click.echo(json.dumps(s.to_json(), indent=2, ensure_ascii=False))
        return
    counts = ", ".join(f"{n:,} {'claims' if t == 'ledger' else t}" for t, n in s.counts.items())
    if s.entities:
        counts += " (" + ", ".join(f"{n:,} {k}" for k, n in sorted(s.entities.items())) + ")"
    state = "redacted" if s.redacted else "[bold red]NOT redacted[/]"
    console.print(f"exported {counts} to [bold]{out}[/] ({fmt}, {state}) in {s.seconds:.1f} s",
                  highlight=False)
    for name, sha in s.files.items():
        console.print(f"  {name}  sha256 {sha}", highlight=False, markup=False, soft_wrap=True)
    for why, n in s.skipped.items():
        console.print(f"  left out: {n:,} {why}", highlight=False, markup=False)


def register(group: click.Group) -> None:
    """Add the export commands to the ``scrutiny`` command group."""
    group.add_command(export_cmd)
