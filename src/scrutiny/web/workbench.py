"""The case behind the web server: one reader per thread, one writer at a time.

Pages read through :meth:`Workbench.reader`, a read-only handle per server thread (SQLite in
WAL mode lets them read while a change is written). A change (a judgement, evidence, an
upload, an account) opens a writable handle for its own duration (:meth:`Workbench.writer`,
about 10 ms), so the command line can still write to the case between two changes made in
the browser; while another process is writing, the change is refused with a clear message
and nothing is lost. An encrypted case's keys are derived once, at start.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scrutiny.case import Case, PassphraseSource


class Workbench:
    def __init__(self, root: Path | str, passphrase: str | PassphraseSource | None = None
                 ) -> None:
        self.root = Path(root)
        self._base = Case.open(self.root, passphrase=passphrase)
        self._local = threading.local()
        self._write = threading.Lock()
        self._all: list[Case] = [self._base]
        self._all_lock = threading.Lock()

    @property
    def case_id(self) -> str:
        return self._base.case_id

    @property
    def encrypted(self) -> bool:
        return self._base.encrypted

    def reader(self) -> Case:
        """This thread's read-only handle on the case."""
        case: Case | None = getattr(self._local, "case", None)
        if case is None:
            case = self._base.reopen()
            # a reader writes only audit entries; in WAL mode NORMAL keeps each one through
            # a crash of the server (not of the machine's power) without an fsync per view
            case.db.execute("PRAGMA synchronous = NORMAL")
            self._local.case = case
            with self._all_lock:
                self._all.append(case)
        return case

    @contextmanager
    def writer(self) -> Iterator[Case]:
        """A writable handle for one change (one change at a time in this process; a
        ``ScrutinyError`` when another process is writing to the case)."""
        with self._write:
            case = self._base.reopen(writable=True)
            try:
                yield case
            finally:
                case.close()

    def close(self) -> None:
        """Close every handle (a reader made by another thread may refuse to be closed from
        this one: SQLite then closes it when its thread's handle is collected)."""
        with self._all_lock:
            for case in self._all:
                try:
                    case.close()
                except Exception:  # noqa: S112 - best effort at shutdown
                    continue
            self._all.clear()
