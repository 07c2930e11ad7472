"""Print the report to PDF with headless Chromium (Debian's ``chromium``, installed by the
Makefile): the HTML is self-contained, so printing needs no network, and the browser is
started with every background connection off and a throw-away profile."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from scrutiny.core import ScrutinyError

__all__ = ["CHROMIUM_FLAGS", "chromium", "print_pdf"]

TIMEOUT = 300
#: headless, no sandbox (root in CI), and nothing that phones out
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-extensions",
                  "--disable-default-apps", "--no-pdf-header-footer", "--mute-audio")


def chromium() -> str | None:
    """The Chromium binary: ``SCRUTINY_CHROMIUM``, else the first of chromium,
    chromium-browser, google-chrome on the PATH."""
    env = os.environ.get("SCRUTINY_CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(html: Path, pdf: Path) -> None:
    """Print ``html`` (a file) to ``pdf``; ``ScrutinyError`` when Chromium is missing or fails."""
    exe = chromium()
    if exe is None:
        raise ScrutinyError("printing to PDF needs Chromium (Debian package 'chromium', which "
                            "'make' installs); the HTML report was written")
    pdf = Path(pdf).absolute()
    with tempfile.TemporaryDirectory(prefix="scrutiny-chromium-") as profile:
        cmd = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
               f"--print-to-pdf={pdf}", Path(html).absolute().as_uri()]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ScrutinyError(f"Chromium could not print the report: {exc}") from None
    if done.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise ScrutinyError("Chromium could not print the report to PDF: "
                            + (" / ".join(tail) or f"exit {done.returncode}"))
