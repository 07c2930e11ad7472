"""``scrutiny report``: the verification report (thin: parse, call ``build_report``, print)."""

from __future__ import annotations

from pathlib import Path

import click

from scrutiny.cli import CASE_ARG, _actor, _friendly, _open
from scrutiny.console import console, err_console


@click.command("report")
@CASE_ARG
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              default=Path("report.html"), show_default=True, help="The HTML file to write.")
@click.option("--pdf", type=click.Path(path_type=Path, dir_okay=False),
              help="Also print it to this PDF (headless Chromium).")
@click.option("--no-redact", is_flag=True,
              help="Show ID numbers, birth dates, phone numbers and addresses.")
@click.option("--no-verify", is_flag=True,
              help="Do not re-hash every file and the custody chain first.")
@click.option("--actor", help="Who writes it (default: your user name).")
@_friendly
def report_cmd(case: Path, output: Path, pdf: Path | None, no_redact: bool, no_verify: bool,
               actor: str | None) -> None:
    """Write the verification report of CASE: one self-contained HTML file (nothing loads
    from outside), readable on paper; --pdf prints it too."""
    from scrutiny.report.build import build_report

    if no_redact:
        err_console.print("[yellow]note:[/] --no-redact: the report will hold the ID numbers, "
                          "birth dates, phone numbers and addresses of the people in the leak")
    with _open(case, writable=True) as c:
        s = build_report(c, output, pdf=pdf, redact=not no_redact, verify=not no_verify,
                         actor=_actor(actor))
    console.print(f"report written to {s.path} ({s.bytes / 1e6:.1f} MB, {s.findings_total:,} "
                  f"findings, {s.seconds:.1f} s)" + (f"; PDF {s.pdf}" if s.pdf else ""),
                  highlight=False)


def register(group: click.Group) -> None:
    """Add the report command to the ``scrutiny`` command group."""
    group.add_command(report_cmd)
