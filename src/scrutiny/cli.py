"""The ``scrutiny`` command: thin click commands that parse options, call one library
function and print."""

from __future__ import annotations

import getpass
import json
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.markup import escape
from rich.table import Table

from scrutiny import __version__
from scrutiny.case import PASSPHRASE_ENV, Case, passphrase_from_env
from scrutiny.console import (
    RichBytesProgress,
    RichIngestProgress,
    RichStagesProgress,
    console,
    err_console,
)
from scrutiny.core import ScrutinyError
from scrutiny.ingest import Limits, ingest
from scrutiny.store.integrity import build_manifest, verify_case

F = TypeVar("F", bound=Callable[..., Any])


def _friendly(fn: F) -> F:
    """Print a ScrutinyError as a one-line message and exit 2, without a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ScrutinyError as exc:
            err_console.print(f"[bold red]error:[/] {exc}")
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def _ask_passphrase() -> str:
    env = passphrase_from_env()
    if env:
        return env
    if not sys.stdin.isatty():
        raise ScrutinyError(f"this case is encrypted: set {PASSPHRASE_ENV} (no terminal to ask)")
    return str(click.prompt("Passphrase", hide_input=True, err=True))


def _actor(actor: str | None) -> str:
    if actor:
        return actor
    if os.environ.get("SCRUTINY_ACTOR"):
        return os.environ["SCRUTINY_ACTOR"]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _open(case: Path, writable: bool = False) -> Case:
    return Case.open(case, passphrase=_ask_passphrase, writable=writable)


CASE_ARG = click.argument("case", type=click.Path(path_type=Path))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="scrutiny")
def main() -> None:
    """scrutiny: verify leaked records and cross-reference the people in them.

    Work happens in a case folder: init it, ingest the leak, then check and report.
    Encrypted cases read their passphrase from SCRUTINY_PASSPHRASE or ask for it.
    """


@main.command()
@CASE_ARG
@click.option("--encrypt", is_flag=True, help="Encrypt blobs, catalog and custody log at rest.")
@click.option("--actor", help="Who creates the case (default: your user name).")
@_friendly
def init(case: Path, encrypt: bool, actor: str | None) -> None:
    """Create a new case folder CASE."""
    passphrase = None
    if encrypt:
        passphrase = passphrase_from_env()
        if not passphrase:
            if not sys.stdin.isatty():
                raise ScrutinyError(f"--encrypt needs a passphrase: set {PASSPHRASE_ENV}")
            passphrase = click.prompt("New passphrase", hide_input=True,
                                      confirmation_prompt=True, err=True)
    with Case.create(case, encrypt=encrypt, passphrase=passphrase, actor=_actor(actor)) as c:
        kind = "encrypted " if c.encrypted else ""
        console.print(f"created {kind}case [bold]{case}[/] ({c.case_id})")


@main.command("ingest")
@CASE_ARG
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--actor", help="Who is ingesting (default: your user name).")
@click.option("--note", help="A note kept with this run (where the files came from, …).")
@click.option("--no-progress", is_flag=True, help="Do not draw a progress bar.")
@click.option("--workers", type=click.IntRange(1, 64), help="Reader threads (default: cores).")
@click.option("--max-depth", type=click.IntRange(0), default=Limits.max_depth, show_default=True,
              help="Deepest archive nesting that is unpacked.")
@click.option("--max-ratio", type=click.IntRange(1), default=Limits.max_ratio,
              show_default=True, help="Largest compression ratio accepted.")
@click.option("--max-total", type=click.IntRange(1), default=Limits.max_total,
              show_default=True, help="Bytes unpacked from one input at most.")
@click.option("--max-members", type=click.IntRange(1), default=Limits.max_members,
              show_default=True, help="Members unpacked from one archive at most.")
@click.option("--no-extract", is_flag=True, help="Do not extract metadata, text and records.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@_friendly
def ingest_cmd(case: Path, paths: tuple[Path, ...], actor: str | None, note: str | None,
               no_progress: bool, workers: int | None, max_depth: int, max_ratio: int,
               max_total: int, max_members: int, no_extract: bool, as_json: bool) -> None:
    """Store files, folders and archives (zip, tar, tar.gz/bz2/xz, 7z) in CASE, with custody,
    then extract what they hold (unless --no-extract)."""
    limits = Limits(max_depth=max_depth, max_ratio=max_ratio, max_total=max_total,
                    max_members=max_members)
    show = not no_progress and not as_json and err_console.is_terminal
    with _open(case, writable=True) as c:
        summary = ingest(c, list(paths), actor=_actor(actor), note=note, limits=limits,
                         progress=RichIngestProgress() if show else None, workers=workers,
                         args=sys.argv[1:])
        extracted = None if no_extract else _run_extract(c, _actor(actor), None, show)
    if as_json:
        out: dict[str, Any] = {"run": summary.run_id, **summary.to_json()}
        if extracted is not None:
            out["extract"] = extracted.to_json()
        click.echo(json.dumps(out, indent=2))
        return
    s = summary
    rate = s.bytes / max(s.seconds, 1e-9) / 1e6
    console.print(
        f"ingested [bold]{s.files}[/] files ({s.bytes / 1e6:,.1f} MB) in {s.seconds:.1f} s "
        f"— {s.files / max(s.seconds, 1e-9):,.0f} files/s, {rate:,.1f} MB/s")
    console.print(
        f"  {s.new_items} new items, {s.new_provenances} new provenances, "
        f"{s.already_known} already known; {s.members} members unpacked from "
        f"{s.archives} archives")
    if s.problems:
        console.print("  problems: " + ", ".join(f"{k} ×{v}" for k, v in
                                                 sorted(s.problems.items()))
                      + f"  (see 'scrutiny status {case}')")
    if extracted is not None:
        _print_extract(extracted)


def _run_extract(c: Case, actor: str, mapping: Path | None, show: bool,
                 ocr: bool = False) -> Any:
    from scrutiny.extract.records import load_overrides
    from scrutiny.extract.run import extract_case

    overrides = load_overrides(mapping) if mapping else None
    if show:
        with RichStagesProgress() as update:
            s = extract_case(c, overrides=overrides, actor=actor, progress=update, ocr=ocr)
    else:
        s = extract_case(c, overrides=overrides, actor=actor, ocr=ocr)
    return s


def _print_extract(s: Any) -> None:
    by = ", ".join(f"{k} ×{v}" for k, v in s.by_extractor.items()) or "nothing new"
    console.print(f"extracted {s.items} items ({by}) in {s.seconds:.1f} s: {s.metadata} "
                  f"metadata values, {s.texts} texts, {s.records} person records "
                  f"({s.relations} relatives), {s.filename_records} records from file names, "
                  f"{s.children} embedded files; {s.errors} could not be fully extracted")


@main.command("extract")
@CASE_ARG
@click.option("--mapping", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="JSON object mapping table headers (or column numbers) to record fields, "
                   "for columns the built-in header mapping does not know.")
@click.option("--ocr", is_flag=True,
              help="Also read text from images and scanned PDF pages with Tesseract "
                   "(chi_sim, uig).")
@click.option("--actor", help="Who runs the extraction (default: your user name).")
@click.option("--no-progress", is_flag=True, help="Do not draw a progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@_friendly
def extract_cmd(case: Path, mapping: Path | None, ocr: bool, actor: str | None,
                no_progress: bool, as_json: bool) -> None:
    """Extract metadata, text and person records from every item not yet extracted by the
    current extractor versions (incremental)."""
    from scrutiny.extract.records import load_overrides
    from scrutiny.extract.run import extract_case

    with _open(case, writable=True) as c:
        if as_json:
            s = extract_case(c, overrides=load_overrides(mapping) if mapping else None,
                             actor=_actor(actor), ocr=ocr)
            click.echo(json.dumps({"run": s.run_id, **s.to_json()}, indent=2))
        else:
            _print_extract(_run_extract(c, _actor(actor), mapping,
                                        not no_progress and err_console.is_terminal, ocr))


@main.command("metadata")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True,
              help="Print exiftool-like JSON: a list with one object per file.")
@_friendly
def metadata_cmd(files: tuple[Path, ...], as_json: bool) -> None:
    """Print the metadata of FILES outside any case (EXIF, GPS, XMP, IPTC, ICC, JPEG
    structure; PDF and Office properties). Nothing is stored."""
    from scrutiny.extract.standalone import file_metadata

    found = [file_metadata(f) for f in files]
    if as_json:
        click.echo(json.dumps(found, indent=2, ensure_ascii=False, default=str))
        return
    for n, meta in enumerate(found):
        if n:
            console.print()
        console.print(f"[bold]{meta.pop('SourceFile')}[/]", highlight=False)
        width = max(len(k) for k in meta)
        for key, value in meta.items():
            shown = value if isinstance(value, str) else json.dumps(
                value, ensure_ascii=False, default=str)
            if len(shown) > 300:
                shown = shown[:300] + f"… ({len(shown):,} characters)"
            console.print(f"  {key:<{width}}  {shown}", highlight=False, markup=False)
    if any("Scrutiny:Error" in m for m in found):
        sys.exit(1)


@main.command("check")
@CASE_ARG
@click.option("--select", "chosen", metavar="PREFIX,...",
              help="Run only checks whose code starts with one of these (e.g. REC-ID,DOC).")
@click.option("--ignore", "ignored", metavar="PREFIX,...",
              help="Skip checks whose code starts with one of these.")
@click.option("--end-date", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The leak's stated end date (documents modified later are flagged).")
@click.option("--actor", help="Who runs the checks (default: your user name).")
@click.option("--no-progress", is_flag=True, help="Do not draw a progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@_friendly
def check_cmd(case: Path, chosen: str | None, ignored: str | None, end_date: Any,
              actor: str | None, no_progress: bool, as_json: bool) -> None:
    """Run the checks over CASE: per record, then over the whole case (incremental)."""
    from scrutiny.checks.run import check_case

    settings = {"end_date": end_date.date().isoformat()} if end_date else {}
    show = not no_progress and not as_json and err_console.is_terminal
    with _open(case, writable=True) as c:
        if show:
            with RichStagesProgress() as update:
                s = check_case(c, chosen, ignored, _actor(actor), update, settings)
        else:
            s = check_case(c, chosen, ignored, _actor(actor), None, settings)
    if as_json:
        click.echo(json.dumps({"run": s.run_id, **s.to_json()}, indent=2))
        return
    console.print(f"ran {len(s.checks)} checks over {s.records:,} new records in "
                  f"{s.seconds:.1f} s: {sum(s.findings.values()):,} new findings"
                  + (f" ({s.could_not_check} could not check)" if s.could_not_check else ""))
    for code, n in sorted(s.findings.items()):
        console.print(f"  {code}  ×{n:,}", highlight=False)
    console.print(f"see 'scrutiny findings {case}'")


@main.command("findings")
@CASE_ARG
@click.option("--severity", type=click.Choice(["info", "notice", "warning", "anomaly"]),
              help="Only findings at least this severe.")
@click.option("--code", metavar="PREFIX", help="Only findings whose code starts with this.")
@click.option("--limit", type=click.IntRange(1), help="At most this many findings.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
@_friendly
def findings_cmd(case: Path, severity: str | None, code: str | None, limit: int | None,
                 fmt: str) -> None:
    """List the findings of CASE, most severe first."""
    import csv

    from scrutiny.checks.run import findings
    from scrutiny.core import Severity

    with _open(case) as c:
        found = findings(c.db, Severity.parse(severity) if severity else None, code, limit)
    if fmt == "json":
        click.echo(json.dumps(found, indent=2, ensure_ascii=False))
        return
    if fmt == "csv":
        w = csv.writer(sys.stdout)
        w.writerow(["code", "severity", "subject", "title", "explanation", "evidence",
                    "check_version", "created"])
        for f in found:
            w.writerow([f["code"], f["severity"], f["subject"], f["title"], f["explanation"],
                        json.dumps(f["evidence"], ensure_ascii=False, sort_keys=True),
                        f["check_version"], f["created"]])
        return
    if not found:
        console.print("no findings")
        return
    t = Table(show_lines=False)
    for col in ("severity", "code", "subject", "finding"):
        t.add_column(col, overflow="fold")
    for f in found:
        t.add_row(f["severity"], f["code"], f["subject"],
                  f"[bold]{escape(f['title'])}[/]\n{escape(f['explanation'])}")
    console.print(t)


@main.group("checks")
def checks_group() -> None:
    """The checks scrutiny knows (built-in and plugins)."""


@checks_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "md"]), default="table",
              show_default=True, help="md: the Markdown of docs/checks.md.")
@_friendly
def checks_list(fmt: str) -> None:
    """List every check: code, title, what it applies to, version."""
    from scrutiny.checks.docs import checks_markdown
    from scrutiny.checks.registry import all_checks

    classes = all_checks()
    if fmt == "md":
        click.echo(checks_markdown(classes), nl=False)
        return
    t = Table()
    for col in ("code", "title", "applies to", "version", "default"):
        t.add_column(col)
    for cls in classes:
        t.add_row(cls.code, cls.title, ", ".join(cls.applies_to), cls.version,
                  "off" if cls.off_by_default else "on")
    console.print(t)


@main.command("search")
@CASE_ARG
@click.argument("query")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print hits as JSON.")
@_friendly
def search_cmd(case: Path, query: str, limit: int, as_json: bool) -> None:
    """Search extracted text and person records (Chinese, Uyghur, Latin; 2-character names
    too)."""
    from scrutiny.extract.search import search

    with _open(case) as c:
        hits = search(c.db, query, limit)
    if as_json:
        click.echo(json.dumps([h.to_json() for h in hits], indent=2, ensure_ascii=False))
        return
    if not hits:
        console.print("no matches")
        return
    for h in hits:
        where = h.names[0] if h.names else h.sha256
        console.print(f"[bold]{h.kind}[/] {where} [dim]{h.location}[/]", highlight=False)
        console.print(f"    {h.snippet}", highlight=False)


@main.group("reference")
def reference_group() -> None:
    """Reference databases (victim lists) to match the leak's people against."""


@reference_group.command("add")
@CASE_ARG
@click.argument("name")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--mapping", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="JSON object mapping headers (or column numbers) to fields, for columns "
                   "the built-in mapping does not know (as for 'scrutiny extract').")
@click.option("--not-independent", is_flag=True,
              help="The database was compiled from the leak itself (not from independent "
                   "testimonies); a match with it does not corroborate the leak.")
@click.option("--note", help="A note kept with this version (who compiled it, when, …).")
@click.option("--actor", help="Who imports it (default: your user name).")
@click.option("--no-progress", is_flag=True, help="Do not draw a progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@_friendly
def reference_add(case: Path, name: str, file: Path, mapping: Path | None,
                  not_independent: bool, note: str | None, actor: str | None,
                  no_progress: bool, as_json: bool) -> None:
    """Import FILE (CSV, .xlsx, JSON lines or FollowTheMoney entities) into CASE as the next
    version of the reference database NAME. The file is stored with custody."""
    from scrutiny.extract.records import load_overrides
    from scrutiny.link.reference import add_reference

    overrides = load_overrides(mapping) if mapping else None
    show = not no_progress and not as_json and err_console.is_terminal
    with _open(case, writable=True) as c:
        kwargs: dict[str, Any] = {"mapping": overrides, "actor": _actor(actor),
                                  "independent": not not_independent, "note": note}
        if show:
            with RichStagesProgress() as update:
                s = add_reference(c, name, file, progress=update, **kwargs)
        else:
            s = add_reference(c, name, file, **kwargs)
    if as_json:
        click.echo(json.dumps(s.to_json(), indent=2, ensure_ascii=False))
        return
    if s.unchanged:
        console.print(f"{file.name} is already version {s.version} of [bold]{escape(s.name)}"
                      f"[/] ({s.entries:,} entries): nothing imported")
        return
    console.print(f"imported [bold]{escape(s.name)}[/] version {s.version} from "
                  f"{escape(s.file_name)} ({s.format}): {s.entries:,} entries from {s.rows:,} "
                  f"rows in {s.seconds:.1f} s; sha256 {s.sha256}")
    _print_mapping(s)
    skipped = {**s.skipped, **({"malformed": s.malformed} if s.malformed else {})}
    if skipped:
        console.print("skipped: " + ", ".join(f"{k} ×{v:,}" for k, v in sorted(
            skipped.items())), highlight=False)
    for p in s.problems:
        console.print(f"  [yellow]{escape(p)}[/]", highlight=False)
    for k, v in sorted(s.notes.items()):
        console.print(f"note: {k} ×{v:,}", highlight=False)


def _print_mapping(s: Any) -> None:
    for table, columns in s.columns.items():
        t = Table(title=f"columns of {table}" if table else "columns", show_edge=False)
        for col in ("#", "header", "field", "how"):
            t.add_column(col)
        for c in columns:
            t.add_row(str(c.index + 1), escape(c.header), c.field or "[dim]—[/]", c.how)
        console.print(t)


@reference_group.command("list")
@CASE_ARG
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@_friendly
def reference_list(case: Path, as_json: bool) -> None:
    """List the reference databases of CASE, every version (the newest is used)."""
    from scrutiny.link.reference import list_references

    with _open(case) as c:
        sets = list_references(c.db)
    if as_json:
        click.echo(json.dumps([s.to_json() for s in sets], indent=2, ensure_ascii=False))
        return
    if not sets:
        console.print("no reference databases; import one with 'scrutiny reference add'")
        return
    t = Table(show_edge=False)
    for col in ("name", "version", "entries", "format", "file", "sha256", "imported",
                "independent", "note"):
        t.add_column(col, overflow="fold")
    for s in sets:
        t.add_row(escape(s.name), f"{s.version}{' (newest)' if s.newest else ''}",
                  f"{s.entries:,}", s.format, escape(s.file_name), s.sha256[:16],
                  f"{s.imported_at[:19]} by {escape(s.imported_by)}",
                  "yes" if s.independent else "no", escape(s.note or ""))
    console.print(t)


@main.command("link")
@CASE_ARG
@click.option("--reference", "reference", metavar="NAME",
              help="Link the leak's records with this reference database (newest version).")
@click.option("--dedupe", is_flag=True, help="Link the leak's records with each other.")
@click.option("--backend", type=click.Choice(["duckdb", "spark"]), default="duckdb",
              show_default=True, help="Where Splink computes (spark for the largest leaks).")
@click.option("--threshold", type=click.FloatRange(0.0, 1.0, min_open=True, max_open=True),
              default=0.5, show_default=True,
              help="Keep pairs at least this probable (a match is a candidate to review).")
@click.option("--actor", help="Who runs the linkage (default: your user name).")
@click.option("--no-progress", is_flag=True, help="Do not draw a progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@_friendly
def link_cmd(case: Path, reference: str | None, dedupe: bool, backend: str, threshold: float,
             actor: str | None, no_progress: bool, as_json: bool) -> None:
    """Find the people of CASE in a reference database (--reference NAME), or the same
    person listed twice in the leak (--dedupe). Review the matches with 'scrutiny matches'."""
    if (reference is None) == (not dedupe):
        raise ScrutinyError("give exactly one of --reference NAME or --dedupe")
    link_case = _link_engine()
    show = not no_progress and not as_json and err_console.is_terminal
    with _open(case, writable=True) as c:
        kwargs: dict[str, Any] = {"reference": reference, "dedupe": dedupe,
                                  "backend": backend, "threshold": threshold,
                                  "actor": _actor(actor)}
        if show:
            with RichStagesProgress() as update:
                s = link_case(c, progress=update, **kwargs)
        else:
            s = link_case(c, progress=None, **kwargs)
    data = s.to_json() if hasattr(s, "to_json") else getattr(s, "__dict__", {"result": str(s)})
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
        return
    console.print("linked: " + ", ".join(f"{k} {v}" for k, v in data.items()
                                         if not isinstance(v, dict | list)), highlight=False)
    console.print(f"review the matches with 'scrutiny matches {case}'")


def _link_engine() -> Callable[..., Any]:
    """The linkage engine's entry point, or a clear error when this build lacks it."""
    try:
        from scrutiny.link.run import link_case
    except ModuleNotFoundError as exc:
        if exc.name not in ("scrutiny.link.run", "scrutiny.link.model",
                            "scrutiny.link.features"):
            raise ScrutinyError(f"the linkage engine needs {exc.name}, which is not "
                                "installed") from None
        raise ScrutinyError("record linkage is not available in this build of scrutiny "
                            "(scrutiny.link.run is missing)") from None
    except ImportError as exc:
        raise ScrutinyError(f"record linkage is not available in this build of scrutiny "
                            f"({exc})") from None
    return link_case


@main.command("matches")
@CASE_ARG
@click.option("--status", type=click.Choice(["pending", "accepted", "rejected", "unsure"]),
              help="Only pairs whose newest judgement is this (pending: not judged yet).")
@click.option("--run", "run_id", type=click.IntRange(1),
              help="Matches of this linkage run (default: the newest run of each kind).")
@click.option("--min-probability", type=click.FloatRange(0.0, 1.0),
              help="Only matches at least this probable.")
@click.option("--limit", type=click.IntRange(1),
              help="At most this many (default: 50 in a table, all as JSON or CSV).")
@click.option("--offset", type=click.IntRange(0), default=0, help="Skip this many first.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
@_friendly
def matches_cmd(case: Path, status: str | None, run_id: int | None,
                min_probability: float | None, limit: int | None, offset: int,
                fmt: str) -> None:
    """List candidate matches of CASE, most probable first, with each comparison's
    contribution. Judge one with 'scrutiny judge CASE MATCH accept|reject|unsure'."""
    from scrutiny.link.review import list_matches

    shown = limit if limit is not None else (50 if fmt == "table" else None)
    with _open(case) as c:
        found = list_matches(c.db, status, run_id, min_probability,
                             None if shown is None else shown + 1, offset)
    more = shown is not None and len(found) > shown
    found = found[:shown] if shown is not None else found
    if fmt == "json":
        click.echo(json.dumps([m.to_json() for m in found], indent=2, ensure_ascii=False))
    elif fmt == "csv":
        _matches_csv(found)
    else:
        _matches_table(found, more, shown)


def _matches_csv(found: list[Any]) -> None:
    import csv

    w = csv.writer(sys.stdout)
    w.writerow(["match", "run", "kind", "status", "probability", "weight", "left_record",
                "left_name", "left_id_number", "left_birth_date", "left_where", "right_kind",
                "right_id", "right_key", "right_name", "right_name_alt", "right_id_number",
                "right_birth_date", "right_where", "explanation", "judged_by", "reason"])
    for m in found:
        j = m.judgement
        w.writerow([m.id, m.run_id, m.kind, m.status, m.probability, m.weight, m.left.id,
                    m.left.name, m.left.id_number, m.left.birth_date, m.left.where,
                    m.right.kind, m.right.id, m.right.key, m.right.name, m.right.name_alt,
                    m.right.id_number, m.right.birth_date, m.right.where,
                    json.dumps(m.explanation, ensure_ascii=False),
                    j.by if j else "", j.reason if j else ""])


def _person(side: Any) -> str:
    names = " / ".join(escape(n) for n in (side.name, side.name_alt) if n) or "[dim](no name)[/]"
    facts = " ".join(escape(x) for x in (side.id_number, side.birth_date, side.sex) if x)
    return f"[bold]{names}[/]\n{facts}\n[dim]{escape(side.where)}[/]"


def _matches_table(found: list[Any], more: bool, shown: int | None) -> None:
    from scrutiny.link.review import format_explanation

    if not found:
        console.print("no matches")
        return
    t = Table(show_lines=True)
    for col in ("match", "score", "leak record", "matched with", "why", "status"):
        t.add_column(col, overflow="fold")
    for m in found:
        status = m.status if m.judgement is None else (
            f"{m.status}\nby {escape(m.judgement.by)}: {escape(m.judgement.reason)}")
        t.add_row(str(m.id), f"{m.probability:.3f}\nweight {m.weight:.1f}", _person(m.left),
                  _person(m.right), escape(format_explanation(m.explanation)), status)
    console.print(t)
    if more:
        console.print(f"showing the first {shown}; see more with --limit or --offset")


@main.command("judge")
@CASE_ARG
@click.argument("match", type=click.IntRange(1))
@click.argument("decision", required=False,
                type=click.Choice(["accept", "reject", "unsure"], case_sensitive=False))
@click.option("--by", help="Who judges (required with a decision).")
@click.option("--reason", help="Why (required with a decision): what you checked.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@_friendly
def judge_cmd(case: Path, match: int, decision: str | None, by: str | None,
              reason: str | None, as_json: bool) -> None:
    """Judge MATCH: accept (the same person), reject (not the same person) or unsure. A new
    judgement of a pair supersedes the old one, which stays in the history. Without a
    DECISION, show the pair's history of judgements."""
    from scrutiny.link.review import judge, judgement_history, pair_of

    if decision is None:
        with _open(case) as c:
            history = judgement_history(c.db, pair_of(c.db, match))
        if as_json:
            click.echo(json.dumps([j.to_json() for j in history], indent=2,
                                  ensure_ascii=False))
        elif not history:
            console.print(f"match {match} has not been judged")
        for n, j in enumerate([] if as_json else history, 1):
            mark = " (stands)" if n == len(history) else ""
            console.print(f"{j.at[:19]} {j.decision}{mark} by {escape(j.by)} on match "
                          f"{j.match_id}: {escape(j.reason)}", highlight=False)
        return
    with _open(case, writable=True) as c:
        j = judge(c, match, decision, by or "", reason or "")
    if as_json:
        click.echo(json.dumps(j.to_json(), indent=2, ensure_ascii=False))
        return
    console.print(f"judgement {j.id}: match {match} {j.status} by {escape(j.by)}")


@main.command()
@CASE_ARG
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@_friendly
def status(case: Path, as_json: bool) -> None:
    """What CASE holds: items by type, provenances, problems, chain head, last events."""
    from scrutiny.status import case_status

    with _open(case) as c:
        st = case_status(c)
    if as_json:
        click.echo(json.dumps(st, indent=2, ensure_ascii=False))
        return
    enc = " (encrypted)" if st["encrypted"] else ""
    console.print(f"[bold]{st['case']}[/]{enc}  id {st['case_id']}")
    console.print(f"{st['items']} items, {st['bytes'] / 1e6:,.1f} MB; {st['provenances']} "
                  f"provenances ({st['unpacked_from_archives']} from archives); "
                  f"{st['name_type_mismatches']} names that do not match their type")
    t = Table(title="items by type", show_edge=False)
    for col in ("type", "items", "MB"):
        t.add_column(col, justify="left" if col == "type" else "right")
    for row in st["by_type"]:
        t.add_row(row["mime"], str(row["items"]), f"{row['bytes'] / 1e6:,.2f}")
    console.print(t)
    ex = st["extraction"]
    console.print(f"extraction: {ex['items']} items extracted, {ex['errors']} could not be "
                  f"fully extracted; {ex['records']} person records "
                  f"({ex['relations']} relatives)")
    for e in ex["error_examples"]:
        console.print(f"  [yellow]{e['extractor']}[/] {e['sha256'][:16]}: {e['error']}",
                      highlight=False)
    if st["findings"]:
        console.print("check findings: " + ", ".join(f"{n:,} {sev}" for sev, n in
                                                      st["findings"].items())
                      + f"  (see 'scrutiny findings {case}')")
    if st["ingest_problems"]:
        t = Table(title="ingest problems", show_edge=False)
        for col in ("code", "severity", "what", "count"):
            t.add_column(col)
        for p in st["ingest_problems"]:
            t.add_row(p["code"], p["severity"], p["title"], str(p["count"]))
        console.print(t)
    else:
        console.print("no ingest problems")
    for r in st["runs"][:3]:
        console.print(f"run {r['id'][:8]} {r['kind']} by {r['actor']} {r['started']} "
                      f"[{r['status']}]")
    head = st["chain_head"]
    console.print(f"custody chain head: event {head['seq']} {head['hash']}")
    t = Table(title="last custody events", show_edge=False)
    for col in ("seq", "time", "actor", "action", "subject"):
        t.add_column(col)
    for e in st["last_events"]:
        t.add_row(str(e["seq"]), e["time"], e["actor"], e["action"], (e["subject"] or "")[:16])
    console.print(t)


@main.group()
def custody() -> None:
    """Verify the chain of custody and export a manifest."""


@custody.command("verify")
@CASE_ARG
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@_friendly
def custody_verify(case: Path, as_json: bool) -> None:
    """Re-hash every blob and the whole custody chain. Exit 0 when intact, 1 naming each
    altered blob or event."""
    with _open(case) as c:
        total = c.db.execute("SELECT coalesce(sum(size), 0) FROM items").fetchone()[0]
        if not as_json and err_console.is_terminal:
            with RichBytesProgress("re-hashing", total) as bar:
                report = verify_case(c.blobs, c.log, c.db, progress=bar)
        else:
            report = verify_case(c.blobs, c.log, c.db)
    problems = [str(p) for p in report.chain.problems] + [str(p) for p in report.blob_problems]
    if as_json:
        click.echo(json.dumps({
            "intact": report.intact, "events": report.chain.events,
            "head": {"seq": report.chain.head.seq, "hash": report.chain.head.hash},
            "blobs_checked": report.blobs_checked, "problems": problems,
            "unregistered": list(report.unregistered), "notes": list(report.notes)}, indent=2))
    else:
        for p in problems:
            console.print(f"[bold red]ALTERED[/] {p}", highlight=False)
        for n in report.notes:
            console.print(f"note: {n}")
        verdict = "[bold green]intact[/]" if report.intact else "[bold red]NOT intact[/]"
        console.print(f"custody {verdict}: {report.chain.events} events, "
                      f"{report.blobs_checked} blobs re-hashed, head {report.chain.head.hash}")
    sys.exit(0 if report.intact else 1)


@custody.command("manifest")
@CASE_ARG
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="Where to write the manifest (JSON).")
@click.option("--actor", help="Who writes it (default: your user name).")
@_friendly
def custody_manifest(case: Path, output: Path, actor: str | None) -> None:
    """Write a manifest a partner can check without scrutiny: every item's sha256 and size,
    their Merkle root, the custody chain head and the tool version."""
    from scrutiny.core import sha256_hex

    with _open(case, writable=True) as c:
        manifest = build_manifest(c.db, c.case_id, __version__)
        data = json.dumps(manifest, indent=2).encode() + b"\n"
        tmp = output.with_name(output.name + ".part")
        tmp.write_bytes(data)
        os.replace(tmp, output)
        with c.transaction():
            c.record(_actor(actor), "manifest-written", None, {
                "sha256": sha256_hex(data), "items": manifest["item_count"],
                "merkle_root": manifest["merkle_root"], "chain_head": manifest["chain_head"]})
    console.print(f"manifest of {manifest['item_count']} items written to {output}; "
                  f"Merkle root {manifest['merkle_root']}")


@main.group()
def synth() -> None:
    """Generate fictional leaks with known ground truth (for demos, tests, benchmarks)."""


@synth.command("leak")
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--people", type=click.IntRange(1), default=300, show_default=True,
              help="People listed in the rosters (each with relatives).")
@click.option("--photos", type=click.IntRange(0), default=150, show_default=True,
              help="Police-style photos.")
@click.option("--seed", type=int, default=1, show_default=True,
              help="Same seed, same bytes.")
@click.option("--no-progress", is_flag=True, help="Do not draw progress bars.")
@_friendly
def synth_leak(out: Path, people: int, photos: int, seed: int, no_progress: bool) -> None:
    """Write a fictional leak into OUT: rosters, photos, documents, a reference victim
    database and ground_truth.json listing every planted fault and every true match."""
    from scrutiny.synth.leak import LeakConfig, generate_leak

    started = time.monotonic()
    cfg = LeakConfig(people=people, photos=photos, seed=seed)
    if not no_progress and err_console.is_terminal:
        with RichStagesProgress() as update:
            s = generate_leak(out, cfg, progress=update)
    else:
        s = generate_leak(out, cfg)
    console.print(f"wrote a fictional leak to [bold]{out}[/] in {time.monotonic() - started:.1f} s:"
                  f" {s.people} people on {s.rows} roster rows in {len(s.rosters)} rosters, "
                  f"{s.photos} photos, {s.documents} documents; reference database of "
                  f"{s.reference_entries} entries ({s.matches} true matches)")
    console.print("planted: " + ", ".join(f"{k} ×{v}" for k, v in s.planted.items()))
    console.print(f"ingest {out / 'leak'}; the answers are in {out / 'ground_truth.json'}")


@main.command()
@click.argument("directory", required=False, type=click.Path(path_type=Path),
                default=Path("scrutiny-demo"))
@click.option("--people", type=click.IntRange(1), default=300, show_default=True)
@click.option("--photos", type=click.IntRange(0), default=150, show_default=True)
@_friendly
def demo(directory: Path, people: int, photos: int) -> None:
    """Run scrutiny on a generated, fictional leak: generate → init → ingest → extract →
    check → link → judge → ledger → search → verify → report."""
    from scrutiny.checks.run import check_case
    from scrutiny.core import Severity
    from scrutiny.status import case_status
    from scrutiny.synth.leak import LeakConfig, generate_leak

    marker = directory / ".scrutiny-demo"
    if directory.exists():
        if not marker.exists():
            raise ScrutinyError(f"{directory} exists and is not a scrutiny demo folder")
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    marker.write_text("made by scrutiny demo\n")
    started = time.monotonic()
    show = err_console.is_terminal
    synthetic = directory / "synthetic"
    if show:
        with RichStagesProgress() as update:
            g = generate_leak(synthetic, LeakConfig(people=people, photos=photos),
                              progress=update)
    else:
        g = generate_leak(synthetic, LeakConfig(people=people, photos=photos))
    console.print(f"[bold]1.[/] generated a fictional leak in {synthetic / 'leak'}: "
                  f"{g.people} people in {len(g.rosters)} rosters, {g.photos} photos, "
                  f"{g.documents} documents; planted {sum(g.planted.values())} faults "
                  f"({synthetic / 'ground_truth.json'})")
    case_dir = directory / "case"
    with Case.create(case_dir, actor="demo") as c:
        console.print(f"[bold]2.[/] created case {case_dir}")
        s = ingest(c, [synthetic / "leak"], actor="demo", note="scrutiny demo: synthetic leak",
                   progress=RichIngestProgress() if show else None)
        console.print(f"[bold]3.[/] ingested {s.files} files ({s.bytes / 1e6:,.1f} MB): "
                      f"{s.new_items} items, {s.members} unpacked from {s.archives} archives, "
                      f"ingest problems: {dict(s.problems) or 'none'}")
        x = _run_extract(c, "demo", None, show)
        console.print(f"[bold]4.[/] extracted {x.items} items in {x.seconds:.1f} s: "
                      f"{x.records:,} person records ({x.relations:,} relatives), "
                      f"{x.filename_records:,} records from photo file names, "
                      f"{x.metadata:,} metadata values, {x.texts:,} texts; "
                      f"{x.errors} could not be fully extracted")
        truth = json.loads((synthetic / "ground_truth.json").read_text("utf-8"))
        from scrutiny.places.register import add_register

        reg = add_register(c, synthetic / "reference" / "facilities.geojson", actor="demo")
        k = check_case(c, actor="demo", settings={"end_date": truth["leak_end"]})
        by_severity = Counter(
            Severity(r[0]).label for r in c.db.execute("SELECT severity FROM findings"))
        console.print(f"[bold]5.[/] ran {len(k.checks)} checks in {k.seconds:.1f} s: "
                      f"{sum(k.findings.values()):,} findings ("
                      + ", ".join(f"{n} {sev}" for sev, n in sorted(by_severity.items()))
                      + f"); {sum(truth['planted_counts'].values())} faults were planted; "
                      f"photo positions compared with the fictional register of "
                      f"{reg.facilities} facilities")
        step = 5
        from scrutiny.cli_ledger import demo_steps

        for line in demo_steps(c, synthetic, truth, show):
            step += 1
            console.print(f"[bold]{step}.[/] {line}", highlight=False)
        st = case_status(c)
        probe = _demo_probe(c)
        report = verify_case(c.blobs, c.log, c.db)
        from scrutiny.report.build import build_report

        written = build_report(c, directory / "report.html", verify=False, actor="demo")
    types = ", ".join(f"{r['mime']} ×{r['items']}" for r in st["by_type"])
    step += 1
    console.print(f"[bold]{step}.[/] the case holds {st['items']} items: {types}")
    if probe:
        step += 1
        console.print(f"[bold]{step}.[/] search for the 2-character name {probe[0]!r}: "
                      f"{probe[1]} hit{'' if probe[1] == 1 else 's'}", highlight=False)
    verdict = "intact" if report.intact else "NOT intact"
    console.print(f"[bold]{step + 1}.[/] custody verify: {verdict} ({report.chain.events} "
                  f"events, head {report.chain.head.hash[:16]}…)")
    console.print(f"[bold]{step + 2}.[/] the verification report (redacted): "
                  f"{written.path} ({written.bytes / 1e6:.1f} MB)", highlight=False)
    console.print(f"done in {time.monotonic() - started:.1f} s. The reference database is "
                  f"{synthetic / 'reference' / 'victims.csv'}. Explore the case with:\n"
                  f"  scrutiny status {case_dir}\n  scrutiny findings {case_dir}\n"
                  f"  scrutiny search {case_dir} 吐尔逊\n"
                  f"  scrutiny matches {case_dir}\n  scrutiny ledger {case_dir}\n"
                  f"  scrutiny custody verify {case_dir}\n"
                  f"or in the browser (an account first; the password is asked for):\n"
                  f"  scrutiny user add {case_dir} me --role admin\n"
                  f"  scrutiny serve {case_dir}    # then open http://127.0.0.1:8765/")
    if not report.intact:
        sys.exit(1)


def _demo_probe(c: Case) -> tuple[str, int] | None:
    """A two-character name from the case's records and how many hits searching it gives."""
    from scrutiny.extract.search import search

    row = c.db.execute("SELECT name FROM records WHERE length(name) = 2 LIMIT 1").fetchone()
    if row is None:
        return None
    return row[0], len(search(c.db, row[0], 1000))


def _register() -> None:
    from scrutiny.cli_export import register as export_commands
    from scrutiny.cli_ledger import register as ledger_commands
    from scrutiny.cli_places import register as places_commands
    from scrutiny.cli_report import register as report_commands
    from scrutiny.cli_web import register as web_commands

    for register in (ledger_commands, places_commands, report_commands, export_commands,
                     web_commands):
        register(main)


if __name__ == "__main__":
    # run the module proper (python -m scrutiny.cli), so that the commands other modules
    # register are on the group that runs
    from scrutiny.cli import main as _main

    _main()
else:
    _register()
