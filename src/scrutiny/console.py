"""Terminal presentation shared by CLI commands: progress bars and the console."""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

console = Console()
err_console = Console(stderr=True)


class RichIngestProgress:
    """Progress of an ingest run: input bytes with MB/s, files with files/s, members."""

    def __init__(self, description: str = "ingest") -> None:
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TextColumn("{task.fields[files]}/{task.fields[total_files]} files"),
            TextColumn("{task.fields[fps]:.0f} files/s"),
            TextColumn("{task.fields[members]} unpacked"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=err_console,
            transient=False,
        )
        self._description = description
        self._task = None
        self._files = 0
        self._members = 0
        self._start = time.monotonic()

    def start(self, files: int, nbytes: int) -> None:
        self._start = time.monotonic()
        self._progress.start()
        self._task = self._progress.add_task(
            self._description, total=nbytes or None, files=0, total_files=files, fps=0.0,
            members=0)

    def _update(self, nbytes: int = 0) -> None:
        if self._task is None:
            return
        elapsed = max(1e-6, time.monotonic() - self._start)
        self._progress.update(self._task, advance=nbytes, files=self._files,
                              fps=self._files / elapsed, members=self._members)

    def advance(self, files: int, nbytes: int) -> None:
        self._files += files
        self._update(nbytes)

    def member(self) -> None:
        self._members += 1
        if self._members % 16 == 0:
            self._update()

    def stop(self) -> None:
        self._update()
        self._progress.stop()


class RichBytesProgress:
    """A plain bytes progress bar (used by ``custody verify``)."""

    def __init__(self, description: str, total: int) -> None:
        self._progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(),
            TransferSpeedColumn(), TimeRemainingColumn(), console=err_console)
        self._task = self._progress.add_task(description, total=total or None)

    def __enter__(self) -> RichBytesProgress:
        self._progress.start()
        return self

    def __call__(self, nbytes: int) -> None:
        self._progress.update(self._task, advance=nbytes)

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()


class RichStagesProgress:
    """One bar per named stage, created when the stage first reports: ``update(stage, done,
    total)``."""

    def __init__(self) -> None:
        self._progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                                  MofNCompleteColumn(), TimeElapsedColumn(), console=err_console)
        self._tasks: dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self._tasks:
            self._tasks[stage] = self._progress.add_task(stage, total=total)
        self._progress.update(self._tasks[stage], completed=done)

    def __enter__(self) -> RichStagesProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()
