"""``scrutiny places``: a case's facility registers (thin: parse, call, print)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from scrutiny.cli import CASE_ARG, _actor, _friendly, _open
from scrutiny.console import console


class _ListByDefault(click.Group):
    """``scrutiny places CASE`` lists; ``scrutiny places add …`` runs the subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["list", *args]
        return super().parse_args(ctx, args)


@click.group("places", cls=_ListByDefault)
def places_group() -> None:
    """The facilities of CASE (list them: scrutiny places CASE), and registers to import."""


@places_group.command("list")
@CASE_ARG
@click.option("--register", "name", help="Only this register (its newest version).")
@click.option("--json", "as_json", is_flag=True)
@_friendly
def places_list(case: Path, name: str | None, as_json: bool) -> None:
    """List the facilities of CASE's registers (each at its newest version)."""
    from scrutiny.places.register import facilities

    with _open(case) as c:
        found = facilities(c.db, name)
    if as_json:
        click.echo(json.dumps([f.to_json() for f in found], indent=2, ensure_ascii=False))
        return
    if not found:
        console.print("no facilities: import a register with 'scrutiny places add CASE FILE'")
        return
    t = Table()
    for col in ("id", "name", "aliases", "point", "county", "kind", "first seen", "last seen",
                "source"):
        t.add_column(col, overflow="fold")
    for f in found:
        point: Any = f"{f.lat:.5f}, {f.lon:.5f}" if f.lat is not None and f.lon is not None \
            else "—"
        t.add_row(str(f.id), escape(f.name), escape("; ".join(f.aliases)), point,
                  f.county_code or "", escape(f.kind or ""), f.first_seen or "",
                  f.last_seen or "", escape(f.source or ""))
    console.print(t)


@places_group.command("add")
@CASE_ARG
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--name", help="The register's name (default: the file's name); importing "
                             "the same name again makes a new version.")
@click.option("--actor", help="Who imports it (default: your user name).")
@click.option("--json", "as_json", is_flag=True)
@_friendly
def places_add(case: Path, file: Path, name: str | None, actor: str | None,
               as_json: bool) -> None:
    """Import a facility register (CSV or GeoJSON) into CASE."""
    from scrutiny.places.register import add_register

    with _open(case, writable=True) as c:
        s = add_register(c, file, name, _actor(actor))
    if as_json:
        click.echo(json.dumps(s.to_json(), indent=2, ensure_ascii=False))
        return
    console.print(f"register {escape(s.name)} version {s.version}: {s.facilities:,} "
                  f"facilities ({s.format}); {len(s.rejected)} rejected", highlight=False)
    for where, why in s.rejected[:20]:
        console.print(f"  {where}: {escape(why)}", highlight=False)


@places_group.command("attach")
@CASE_ARG
@click.argument("facility")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--date", "date", required=True, help="When the image was taken (YYYY-MM-DD).")
@click.option("--source", required=True,
              help="Where it comes from: the operator or provider (images of one provider "
                   "count as one source); put the scene id in --note.")
@click.option("--note")
@click.option("--by", help="Who attaches it (default: your user name).")
@_friendly
def places_attach(case: Path, facility: str, file: Path, date: str, source: str,
                  note: str | None, by: str | None) -> None:
    """Attach a satellite image (PNG, JPEG, GeoTIFF) of FACILITY (its id or name) as
    evidence that it existed on --date; it goes into the evidence store with custody and
    into the ledger, on the facility's existence claim."""
    from scrutiny.places.imagery import attach_imagery

    with _open(case, writable=True) as c:
        got = attach_imagery(c, facility, file, date, source, _actor(by), note)
    st = got.claim.status
    statement = escape(got.claim.current.statement)
    console.print(f"image stored as {got.evidence.current.sha256 or ''}; evidence "
                  f"{got.evidence.id} on claim {got.claim.id} ({statement}): {st.name} — "
                  f"{escape(st.reasoning)}", highlight=False)


def register(group: click.Group) -> None:
    """Add the places commands to the ``scrutiny`` command group."""
    group.add_command(places_group)
