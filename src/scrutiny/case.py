"""Open and create cases: the one place a case's paths and settings are decided.

A case folder holds::

    case.json        settings: format version, case id, whether encrypted, KDF parameters
    case.db          the SQLite catalog (WAL mode; SQLCipher when encrypted)
    custody.jsonl    the hash-chained custody log (lines sealed when encrypted)
    blobs/           the content-addressed evidence store
    tmp/             partial writes in progress (never plaintext in an encrypted case)
    .lock            held by the one process writing to the case
"""

from __future__ import annotations

import fcntl
import json
import os
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrutiny import __version__
from scrutiny.core import CustodyEvent, ScrutinyError, utc_now
from scrutiny.store import catalog
from scrutiny.store.blobs import BlobStore
from scrutiny.store.crypto import CaseKeys, KdfParams
from scrutiny.store.custody import CustodyError, CustodyLog, Head

CASE_FORMAT = "scrutiny-case"
CASE_FORMAT_VERSION = 1
PASSPHRASE_ENV = "SCRUTINY_PASSPHRASE"  # noqa: S105 - the variable's name, not a secret

PassphraseSource = Callable[[], str]


@dataclass(frozen=True)
class CasePaths:
    root: Path

    @property
    def settings(self) -> Path:
        return self.root / "case.json"

    @property
    def catalog(self) -> Path:
        return self.root / "case.db"

    @property
    def custody(self) -> Path:
        return self.root / "custody.jsonl"

    @property
    def blobs(self) -> Path:
        return self.root / "blobs"

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    @property
    def lock(self) -> Path:
        return self.root / ".lock"


def passphrase_from_env() -> str | None:
    value = os.environ.get(PASSPHRASE_ENV)
    return value if value else None


def _read_settings(paths: CasePaths) -> dict[str, Any]:
    if not paths.settings.exists():
        raise ScrutinyError(f"{paths.root} is not a scrutiny case (no case.json)")
    try:
        data = json.loads(paths.settings.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ScrutinyError(f"cannot read {paths.settings}: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != CASE_FORMAT:
        raise ScrutinyError(f"{paths.settings} is not a scrutiny case file")
    if int(data.get("version", 0)) > CASE_FORMAT_VERSION:
        raise ScrutinyError("this case was made by a newer scrutiny; upgrade scrutiny")
    return data


class Case:
    """An open case. Use ``Case.create`` / ``Case.open`` and close it (or use ``with``)."""

    def __init__(
        self,
        paths: CasePaths,
        settings: Mapping[str, Any],
        keys: CaseKeys | None,
        writable: bool,
        durable: bool = True,
    ) -> None:
        self.paths = paths
        self.settings = dict(settings)
        self.keys = keys
        self.writable = writable
        self._lock_fd: int | None = None
        if writable:
            self._lock_fd = self._acquire_lock()
        self.blobs = BlobStore(paths.blobs, paths.tmp, keys, durable=durable)
        self.log = CustodyLog(paths.custody, keys.log if keys else None, durable=durable)
        self.db = catalog.connect(paths.catalog, keys.catalog if keys else None)
        self._in_tx = False
        if writable:
            self.blobs.clean_tmp()
            self.log.open_for_append()
            self.catch_up()

    # -- construction ----------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        root: Path | str,
        encrypt: bool = False,
        passphrase: str | None = None,
        actor: str = "scrutiny",
        kdf: KdfParams | None = None,
    ) -> Case:
        root = Path(root)
        paths = CasePaths(root)
        if paths.settings.exists():
            raise ScrutinyError(f"{root} is already a case")
        if root.exists() and any(root.iterdir()):
            raise ScrutinyError(f"{root} exists and is not empty; choose a new folder")
        keys: CaseKeys | None = None
        settings: dict[str, Any] = {
            "format": CASE_FORMAT,
            "version": CASE_FORMAT_VERSION,
            "case_id": str(uuid.uuid4()),
            "created": utc_now(),
            "encrypted": encrypt,
        }
        if encrypt:
            if not passphrase:
                raise ScrutinyError("an encrypted case needs a passphrase")
            params = kdf or KdfParams.new()
            keys = CaseKeys.derive(passphrase, params)
            settings["kdf"] = params.to_json()
            settings["verifier"] = keys.make_verifier()
        root.mkdir(parents=True, exist_ok=True)
        paths.blobs.mkdir()
        paths.tmp.mkdir()
        tmp = paths.root / "case.json.part"
        tmp.write_text(json.dumps(settings, indent=2) + "\n", "utf-8")
        os.replace(tmp, paths.settings)
        case = cls(paths, settings, keys, writable=True)
        with case.transaction():
            catalog.set_meta(case.db, "case_id", settings["case_id"])
            case.record(
                actor,
                "case-created",
                None,
                {
                    "case_id": settings["case_id"],
                    "encrypted": encrypt,
                    "tool_version": __version__,
                },
            )
        return case

    @classmethod
    def open(
        cls,
        root: Path | str,
        passphrase: str | PassphraseSource | None = None,
        writable: bool = False,
        durable: bool = True,
    ) -> Case:
        root = Path(root)
        paths = CasePaths(root)
        settings = _read_settings(paths)
        keys: CaseKeys | None = None
        if settings.get("encrypted"):
            secret = passphrase() if callable(passphrase) else passphrase
            if not secret:
                raise ScrutinyError(
                    f"this case is encrypted: set {PASSPHRASE_ENV} or enter the passphrase"
                )
            keys = CaseKeys.derive(secret, KdfParams.from_json(settings["kdf"]))
            keys.verify(settings["verifier"])
        return cls(paths, settings, keys, writable=writable, durable=durable)

    def reopen(self, writable: bool = False) -> Case:
        """Another handle on the same case with the keys already derived (the web server
        gives each thread its own reader and each change its own short-lived writer)."""
        return Case(self.paths, self.settings, self.keys, writable=writable)

    def _acquire_lock(self) -> int:
        fd = os.open(self.paths.lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise ScrutinyError(
                "another scrutiny process is writing to this case; wait for it to finish"
            ) from None
        return fd

    # -- the write path --------------------------------------------------------------------
    @property
    def case_id(self) -> str:
        return str(self.settings["case_id"])

    @property
    def encrypted(self) -> bool:
        return bool(self.settings.get("encrypted"))

    def catch_up(self) -> int:
        """Replay custody events the catalog has not applied yet (after a crash)."""
        head = catalog.get_head(self.db)
        log_head = self.log.head
        if log_head.seq < head.seq:
            raise CustodyError(
                f"the custody log ends at event {log_head.seq} but the catalog records "
                f"{head.seq}: events are missing; run 'scrutiny custody verify'"
            )
        if log_head.seq == head.seq:
            if log_head.hash != head.hash:
                raise CustodyError(
                    "the custody log's head does not match the catalog's; "
                    "run 'scrutiny custody verify'"
                )
            return 0
        replayed = 0
        self.db.execute("BEGIN IMMEDIATE")
        try:
            expected_prev = head.hash
            for end, ev in self.log.events_from(head.offset):
                if ev.prev != expected_prev:
                    raise CustodyError(
                        f"custody event {ev.seq} does not follow the catalog's head; "
                        "run 'scrutiny custody verify'"
                    )
                catalog.apply_event(self.db, ev)
                catalog.set_head(self.db, Head(ev.seq, ev.hash, end))
                expected_prev = ev.hash
                replayed += 1
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return replayed

    @property
    def in_transaction(self) -> bool:
        return self._in_tx

    def begin(self) -> None:
        if not self.writable:
            raise ScrutinyError("case was opened read-only")
        if self._in_tx:
            raise ScrutinyError("a transaction is already open")
        self.db.execute("BEGIN IMMEDIATE")
        self._in_tx = True

    def commit(self) -> None:
        """Make the open transaction durable: fsync the log, then commit the catalog with
        the log's head (blobs were fsynced before their events were written)."""
        self.blobs.sync()
        self.log.sync()
        catalog.set_head(self.db, self.log.head)
        self.db.execute("COMMIT")
        self._in_tx = False

    def rollback(self) -> None:
        """Abandon the catalog's side of the open transaction. Events already in the log
        stay there (the log is append-only) and are replayed into the catalog at once."""
        if self._in_tx:
            self.db.execute("ROLLBACK")
            self._in_tx = False
            self.catch_up()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes; commits on success, rolls back the catalog on error."""
        if self._in_tx:
            yield
            return
        self.begin()
        try:
            yield
        except BaseException:
            self.rollback()
            raise
        self.commit()

    def record(
        self, actor: str, action: str, subject: str | None, details: Mapping[str, Any]
    ) -> CustodyEvent:
        """Append a custody event and apply it to the catalog (inside ``transaction``)."""
        if not self._in_tx:
            raise ScrutinyError("custody events are recorded inside a transaction")
        ev = self.log.append(actor, action, subject, details)
        catalog.apply_event(self.db, ev)
        return ev

    def close(self) -> None:
        if self._in_tx:
            self.commit()
        self.log.close()
        self.db.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> Case:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
