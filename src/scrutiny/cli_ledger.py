"""``scrutiny claim``, ``evidence``, ``ledger`` and ``sheet``: the corroboration ledger's
commands (thin: parse, call one ``scrutiny.ledger`` function, print)."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from scrutiny.cli import CASE_ARG, _actor, _friendly, _open
from scrutiny.console import console, err_console
from scrutiny.core import ScrutinyError
from scrutiny.ledger.model import CLAIM_KINDS, SOURCE_TYPES, STATUSES

_STATUS_STYLE = {"unverified": "dim", "single-source": "yellow", "corroborated": "green",
                 "contested": "red"}


def _status(name: str) -> str:
    return f"[{_STATUS_STYLE.get(name, '')}]{name}[/]"


def _claim_table(claims: list[Any]) -> Table:
    t = Table(show_lines=True)
    for col in ("claim", "status", "statement", "sources (why)"):
        t.add_column(col, overflow="fold")
    for claim in claims:
        st = claim.status
        t.add_row(str(claim.id), _status(st.name), escape(claim.current.statement),
                  escape(st.reasoning))
    return t


def _print_claim(claim: Any) -> None:
    c = claim.current
    st = claim.status
    console.print(f"[bold]claim {claim.id}[/] ({claim.kind}"
                  + (f", {escape(claim.subject)}" if claim.subject else "")
                  + (", derived automatically" if claim.auto_key else "") + ")")
    console.print(f"  {escape(c.statement)}", highlight=False)
    facts = [f"{k}: {escape(v)}" for k, v in (("who", c.who), ("where", c.place),
                                              ("from", c.date_from), ("to", c.date_to)) if v]
    if facts:
        console.print("  " + "; ".join(facts), highlight=False)
    console.print(f"  status {_status(st.name)} — {escape(st.reasoning)}", highlight=False)
    for v in claim.history[:-1]:
        console.print(f"  [dim]earlier version {v.id} ({v.at[:19]}, {escape(v.by)}): "
                      f"{escape(v.statement)}[/]", highlight=False)
    if len(claim.history) > 1:
        console.print(f"  [dim]corrected by {escape(c.by)} at {c.at[:19]}: "
                      f"{escape(c.reason or '')}[/]", highlight=False)
    if not claim.evidence:
        console.print("  no evidence yet: add some with 'scrutiny evidence add'")
        return
    t = Table(show_lines=True)
    for col in ("evidence", "stance", "source", "origin", "independent", "entered", "rests on"):
        t.add_column(col, overflow="fold")
    for e in claim.evidence:
        v = e.current
        stance = "[dim]withdrawn[/]" if v.withdrawn else (
            "[green]supports[/]" if v.stance == "supports" else "[red]contradicts[/]")
        rests = [x for x in (f"file {v.sha256[:16]}…" if v.sha256 else "",
                             f"record {v.record_id}" if v.record_id else "",
                             f"reference entry {v.entry_id}" if v.entry_id else "",
                             f"match {v.match_id}" if v.match_id else "",
                             v.dated or "", v.note or "") if x]
        entered = f"{escape(v.by)} {v.at[:19]}"
        if len(e.history) > 1:
            entered += f"\n{len(e.history) - 1} earlier version(s); now: {escape(v.reason or '')}"
        t.add_row(str(e.id), stance, SOURCE_TYPES.get(v.source_type, v.source_type),
                  escape(v.origin), "yes" if v.independent else "no (the leak)", entered,
                  escape("\n".join(rests)))
    console.print(t)


# -- claims -----------------------------------------------------------------------------------


@click.group("claim")
def claim_group() -> None:
    """Claims of the ledger: statements to verify, about a person, item, facility or event."""


@claim_group.command("add")
@CASE_ARG
@click.option("--kind", type=click.Choice(CLAIM_KINDS), default="person", show_default=True)
@click.option("--about", help="What it is about: record:N, item:SHA256, facility:NAME, "
                              "event:TEXT.")
@click.option("--statement", required=True, help="The claim, in words.")
@click.option("--who", help="The person it names.")
@click.option("--where", "place", help="The place or facility it names.")
@click.option("--from", "date_from", help="When it begins: YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--to", "date_to", help="When it ends.")
@click.option("--by", help="Who enters it (default: your user name).")
@click.option("--json", "as_json", is_flag=True)
@_friendly
def claim_add(case: Path, kind: str, about: str | None, statement: str, who: str | None,
              place: str | None, date_from: str | None, date_to: str | None, by: str | None,
              as_json: bool) -> None:
    """Enter a claim in CASE's ledger. Its status follows from the evidence added to it."""
    from scrutiny.ledger.store import add_claim

    with _open(case, writable=True) as c:
        claim = add_claim(c, kind, statement, by=_actor(by), about=about, who=who,
                          place=place, date_from=date_from, date_to=date_to)
    if as_json:
        click.echo(json.dumps(claim.to_json(), indent=2, ensure_ascii=False))
    else:
        console.print(f"claim {claim.id}: {escape(claim.current.statement)} "
                      f"({_status(claim.status.name)})", highlight=False)


@claim_group.command("correct")
@CASE_ARG
@click.argument("claim", type=click.IntRange(1))
@click.option("--reason", required=True, help="Why it is corrected.")
@click.option("--statement", help="The corrected statement.")
@click.option("--who")
@click.option("--where", "place")
@click.option("--from", "date_from")
@click.option("--to", "date_to")
@click.option("--by", help="Who corrects it (default: your user name).")
@_friendly
def claim_correct(case: Path, claim: int, reason: str, statement: str | None,
                  who: str | None, place: str | None, date_from: str | None,
                  date_to: str | None, by: str | None) -> None:
    """Correct CLAIM: a new version; the old one stays visible in its history (an empty
    value, e.g. --to "", clears a field)."""
    from scrutiny.ledger.store import correct_claim

    changes = {k: v for k, v in (("who", who), ("place", place), ("date_from", date_from),
                                 ("date_to", date_to)) if v is not None}
    with _open(case, writable=True) as c:
        got = correct_claim(c, claim, by=_actor(by), reason=reason, statement=statement,
                            **changes)
    console.print(f"claim {got.id} corrected (version {got.current.id}; "
                  f"{len(got.history) - 1} earlier)")


@claim_group.command("show")
@CASE_ARG
@click.argument("claim", type=click.IntRange(1))
@click.option("--json", "as_json", is_flag=True)
@_friendly
def claim_show(case: Path, claim: int, as_json: bool) -> None:
    """Show CLAIM: its status and why, its evidence and every earlier version."""
    from scrutiny.ledger.store import get_claim

    with _open(case) as c:
        got = get_claim(c.db, claim)
    if as_json:
        click.echo(json.dumps(got.to_json(), indent=2, ensure_ascii=False))
    else:
        _print_claim(got)


@claim_group.command("derive")
@CASE_ARG
@click.option("--actor", help="Who runs it (default: your user name).")
@click.option("--json", "as_json", is_flag=True)
@_friendly
def claim_derive(case: Path, actor: str | None, as_json: bool) -> None:
    """Enter what CASE already knows: a claim per leak record held at a facility, accepted
    reference matches and photos named by ID number as evidence. Safe to run again."""
    from scrutiny.ledger.auto import derive_claims

    with _open(case, writable=True) as c:
        s = derive_claims(c, _actor(actor))
    if as_json:
        click.echo(json.dumps(s.to_json(), indent=2))
        return
    console.print(f"{s.claims:,} claims and {s.evidence:,} evidence items added "
                  f"({', '.join(f'{k} {v:,}' for k, v in s.by_rule.items()) or 'nothing new'})"
                  f"; {s.withdrawn} withdrawn, {s.restored} restored as judgements changed; "
                  f"{s.records_without_facility_or_date:,} records name no facility or date")


# -- evidence ---------------------------------------------------------------------------------


@click.group("evidence")
def evidence_group() -> None:
    """Evidence for or against a claim, with its source and origin."""


_SOURCE_CHOICE = click.Choice(list(SOURCE_TYPES))


@evidence_group.command("add")
@CASE_ARG
@click.argument("claim", type=click.IntRange(1))
@click.option("--supports", "stance", flag_value="supports", help="It supports the claim.")
@click.option("--contradicts", "stance", flag_value="contradicts",
              help="It contradicts the claim.")
@click.option("--source-type", required=True, type=_SOURCE_CHOICE)
@click.option("--origin", required=True,
              help="Where it comes from (who, which database, which statement); items of "
                   "one origin never count as independent of each other.")
@click.option("--independent/--not-independent", default=None,
              help="Whether it is independent of the leak (default: a leaked record is "
                   "not, everything else is).")
@click.option("--date", "dated", help="When the source said it: YYYY, YYYY-MM, YYYY-MM-DD.")
@click.option("--file", "file", type=click.Path(path_type=Path, dir_okay=False),
              help="A file to store with it (photo, recording, screenshot, imagery).")
@click.option("--record", "record_id", type=click.IntRange(1), help="A record it rests on.")
@click.option("--entry", "entry_id", type=click.IntRange(1),
              help="A reference entry it rests on.")
@click.option("--note")
@click.option("--by", help="Who enters it (default: your user name).")
@click.option("--json", "as_json", is_flag=True)
@_friendly
def evidence_add(case: Path, claim: int, stance: str | None, source_type: str, origin: str,
                 independent: bool | None, dated: str | None, file: Path | None,
                 record_id: int | None, entry_id: int | None, note: str | None,
                 by: str | None, as_json: bool) -> None:
    """Add evidence to CLAIM (say --supports or --contradicts) and show its new status."""
    from scrutiny.ledger.store import add_evidence, get_claim

    if stance is None:
        raise ScrutinyError("say whether it --supports or --contradicts the claim")
    with _open(case, writable=True) as c:
        ev = add_evidence(c, claim, stance, source_type, origin, by=_actor(by),
                          independent=independent, dated=dated, file=file,
                          record_id=record_id, entry_id=entry_id, note=note)
        got = get_claim(c.db, claim)
    if as_json:
        click.echo(json.dumps({"evidence": ev.to_json(), "claim": got.to_json()}, indent=2,
                              ensure_ascii=False))
        return
    stored = f", file stored as {ev.current.sha256[:16]}…" if ev.current.sha256 else ""
    console.print(f"evidence {ev.id} added to claim {claim}{stored}; claim status "
                  f"{_status(got.status.name)} — {escape(got.status.reasoning)}",
                  highlight=False)


@evidence_group.command("correct")
@CASE_ARG
@click.argument("evidence", type=click.IntRange(1))
@click.option("--reason", required=True, help="Why it is corrected.")
@click.option("--supports", "stance", flag_value="supports")
@click.option("--contradicts", "stance", flag_value="contradicts")
@click.option("--source-type", type=_SOURCE_CHOICE)
@click.option("--origin")
@click.option("--independent/--not-independent", default=None)
@click.option("--date", "dated")
@click.option("--note")
@click.option("--by", help="Who corrects it (default: your user name).")
@_friendly
def evidence_correct(case: Path, evidence: int, reason: str, stance: str | None,
                     source_type: str | None, origin: str | None, independent: bool | None,
                     dated: str | None, note: str | None, by: str | None) -> None:
    """Correct EVIDENCE: a new version; the old one stays in its history."""
    from scrutiny.ledger.store import correct_evidence, get_claim

    changes = {k: v for k, v in (("stance", stance), ("source_type", source_type),
                                 ("origin", origin), ("independent", independent),
                                 ("dated", dated), ("note", note)) if v is not None}
    with _open(case, writable=True) as c:
        ev = correct_evidence(c, evidence, by=_actor(by), reason=reason, **changes)
        got = get_claim(c.db, ev.claim_id)
    console.print(f"evidence {ev.id} corrected; claim {got.id} is "
                  f"{_status(got.status.name)}", highlight=False)


@evidence_group.command("withdraw")
@CASE_ARG
@click.argument("evidence", type=click.IntRange(1))
@click.option("--reason", required=True, help="Why it no longer counts.")
@click.option("--by", help="Who withdraws it (default: your user name).")
@_friendly
def evidence_withdraw(case: Path, evidence: int, reason: str, by: str | None) -> None:
    """Withdraw EVIDENCE: it counts for nothing from now on and stays in the history."""
    from scrutiny.ledger.store import get_claim, withdraw_evidence

    with _open(case, writable=True) as c:
        ev = withdraw_evidence(c, evidence, by=_actor(by), reason=reason)
        got = get_claim(c.db, ev.claim_id)
    console.print(f"evidence {ev.id} withdrawn; claim {got.id} is "
                  f"{_status(got.status.name)}", highlight=False)


# -- the ledger -------------------------------------------------------------------------------


@click.command("ledger")
@CASE_ARG
@click.option("--status", type=click.Choice(STATUSES), help="Only claims of this status.")
@click.option("--kind", type=click.Choice(CLAIM_KINDS), help="Only claims of this kind.")
@click.option("--limit", type=click.IntRange(1),
              help="At most this many (default: 50 in a table, all as JSON or CSV).")
@click.option("--offset", type=click.IntRange(0), default=0, help="Skip this many first.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
@_friendly
def ledger_cmd(case: Path, status: str | None, kind: str | None, limit: int | None,
               offset: int, fmt: str) -> None:
    """CASE's claims with their derived status and why (counts by status first)."""
    from itertools import islice

    from scrutiny.ledger.store import iter_claims, status_counts

    shown = limit if limit is not None else (50 if fmt == "table" else None)
    with _open(case) as c:
        counts = status_counts(c.db)
        it = islice(iter_claims(c.db, status=status, kind=kind), offset,
                    None if shown is None else offset + shown + 1)
        claims = list(it)
    more = shown is not None and len(claims) > shown
    claims = claims[:shown] if shown is not None else claims
    if fmt == "json":
        click.echo(json.dumps({"counts": counts, "claims": [x.to_json() for x in claims]},
                              indent=2, ensure_ascii=False))
        return
    if fmt == "csv":
        w = csv.writer(sys.stdout)
        w.writerow(["claim", "kind", "subject", "status", "statement", "who", "place",
                    "date_from", "date_to", "supporting_sources", "contradicting_sources",
                    "evidence", "reasoning"])
        for x in claims:
            v, st = x.current, x.status
            w.writerow([x.id, x.kind, x.subject or "", st.name, v.statement, v.who or "",
                        v.place or "", v.date_from or "", v.date_to or "",
                        "; ".join(st.supporting), "; ".join(st.contradicting),
                        len(x.evidence), st.reasoning])
        return
    console.print("ledger: " + ", ".join(f"{_status(k)} {v:,}" for k, v in counts.items()))
    if not claims:
        console.print("no claims" + (" of that status" if status else
                                     ": enter them with 'scrutiny claim derive' or "
                                     "'scrutiny claim add'"))
        return
    console.print(_claim_table(claims))
    if more:
        console.print(f"showing {shown} from {offset}; see more with --limit or --offset")


# -- field sheets -----------------------------------------------------------------------------


@click.group("sheet")
def sheet_group() -> None:
    """Field sheets: claims out as CSV for a field team, their answers back as evidence."""


@sheet_group.command("export")
@CASE_ARG
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              required=True)
@click.option("--status", type=click.Choice(STATUSES), help="Only claims of this status.")
@click.option("--kind", type=click.Choice(CLAIM_KINDS))
@click.option("--no-phones", is_flag=True, help="Leave the leak's phone numbers out.")
@_friendly
def sheet_export(case: Path, output: Path, status: str | None, kind: str | None,
                 no_phones: bool) -> None:
    """Write a sheet of CASE's claims to fill in (result, source type, origin, date, …)."""
    from scrutiny.ledger.sheet import export_sheet

    if output.exists():
        raise ScrutinyError(f"{output} exists; choose a new file name")
    with _open(case) as c, open(output, "x", encoding="utf-8-sig", newline="") as f:
        n = export_sheet(c.db, f, status=status, kind=kind, phones=not no_phones)
    console.print(f"{n:,} claims written to {output}")
    if not no_phones:
        err_console.print("[yellow]note:[/] the sheet holds the leak's phone numbers and "
                          "names unredacted: hand it only to the people who make the calls")


@sheet_group.command("import")
@CASE_ARG
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--by", help="Who entered rows whose 'by' column is blank.")
@click.option("--dry-run", is_flag=True, help="Check every row, store nothing.")
@click.option("--rejects", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the rejected rows here, with why, to fix and import again.")
@click.option("--json", "as_json", is_flag=True)
@_friendly
def sheet_import(case: Path, file: Path, by: str | None, dry_run: bool,
                 rejects: Path | None, as_json: bool) -> None:
    """Import a filled-in field sheet as evidence. Rows are checked one by one: good rows
    are imported, bad rows are reported (exit status 1 when any was rejected)."""
    from scrutiny.ledger.sheet import import_sheet, write_rejects

    with _open(case, writable=not dry_run) as c:
        report = import_sheet(c, file, by=by, actor=_actor(by), dry_run=dry_run)
    if rejects is not None and report.rejected:
        with open(rejects, "w", encoding="utf-8-sig", newline="") as f:
            write_rejects(report, f)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        done = f"would import {report.valid}" if dry_run else \
            f"imported {len(report.imported)}"
        console.print(f"{file.name}: {report.rows} rows; {done}, skipped "
                      f"{len(report.skipped)}, rejected {len(report.rejected)}",
                      highlight=False)
        if report.rejected:
            t = Table(title="rejected rows (nothing of them was imported)")
            t.add_column("row")
            t.add_column("why", overflow="fold")
            for n, why, _ in report.rejected:
                t.add_row(str(n), escape(why))
            console.print(t)
            if rejects is not None:
                console.print(f"rejected rows written to {rejects}")
    if report.rejected:
        sys.exit(1)


def register(group: click.Group) -> None:
    """Add the ledger's commands to the ``scrutiny`` command group."""
    for command in (claim_group, evidence_group, ledger_cmd, sheet_group):
        group.add_command(command)


# -- the demo's linkage and ledger steps -------------------------------------------------------


def demo_steps(c: Any, synthetic: Path, truth: dict[str, Any], show: bool) -> list[str]:
    """Link the demo case with its fictional victim database, judge the candidates from the
    synthetic ground truth (a stand-in for a reviewer, named as such in every judgement),
    derive the ledger, and say what happened (one line per step)."""
    from scrutiny.console import RichStagesProgress
    from scrutiny.ledger.auto import derive_claims
    from scrutiny.ledger.store import status_counts
    from scrutiny.link.reference import add_reference
    from scrutiny.link.review import judge
    from scrutiny.link.run import link_case

    lines = []
    r = add_reference(c, "victims", synthetic / "reference" / "victims.csv", actor="demo",
                      note="the synthetic leak's fictional victim database")
    lines.append(f"imported the fictional victim database: {r.entries:,} entries")
    if show:
        with RichStagesProgress() as update:
            s = link_case(c, reference="victims", actor="demo", progress=update)
    else:
        s = link_case(c, reference="victims", actor="demo")
    lines.append(f"linked {s.records:,} records with it (Splink, DuckDB): {s.compared:,} "
                 f"pairs compared, {s.matches:,} candidate matches ≥ {s.threshold}")
    same = {(m["id_number"], m["reference"]) for m in truth.get("matches", [])}
    accepted = rejected = 0
    pending = c.db.execute(
        "SELECT m.id, r.id_number, e.entry_key FROM matches m JOIN records r ON "
        "r.id = m.left_record JOIN reference_entries e ON e.id = m.right_entry "
        "WHERE m.run_id = ? ORDER BY m.id", (s.run_id,)).fetchall()
    for match_id, id_number, key in pending:
        if (id_number, key) in same:
            judge(c, match_id, "accept", "demo reviewer (synthetic ground truth)",
                  "the generator made this entry for this fictional person")
            accepted += 1
        else:
            judge(c, match_id, "reject", "demo reviewer (synthetic ground truth)",
                  "the generator made this entry for someone else")
            rejected += 1
    lines.append(f"a stand-in reviewer judged the candidates from the ground truth: "
                 f"{accepted:,} accepted, {rejected:,} rejected (in real work a person "
                 "judges each one: 'scrutiny judge')")
    d = derive_claims(c, "demo")
    counts = status_counts(c.db)
    lines.append(f"ledger: {d.claims:,} claims derived with {d.evidence:,} evidence items; "
                 + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return lines
