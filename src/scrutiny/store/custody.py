"""The custody log: an append-only, hash-chained list of events (DESIGN §1).

Each line of ``custody.jsonl`` is one event in canonical JSON (see ``core.canonical_json``):
``seq`` (1, 2, …), ``time`` (UTC), ``actor``, ``action``, ``subject`` (a SHA-256 or null),
``details``, ``prev`` (the previous event's hash, 64 zeros for the first) and ``hash``, the
SHA-256 of the canonical JSON of every other field. In an encrypted case each line is sealed
(base64 of nonce + AES-256-GCM ciphertext of that same JSON); the chain is computed on the
plaintext, so the head hash means the same thing in both kinds of case.

The log is the case's write-ahead record: an event is appended before the catalog reflects it,
so after a crash the catalog is brought up to date by replaying the events past its head.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from scrutiny.core import GENESIS, CustodyEvent, ScrutinyError, canonical_json, sha256_hex, utc_now
from scrutiny.store.crypto import IntegrityError, open_line, seal_line


class CustodyError(ScrutinyError):
    pass


def event_hash(body: Mapping[str, Any]) -> str:
    return sha256_hex(canonical_json(dict(body)))


def make_event(
    seq: int,
    prev: str,
    actor: str,
    action: str,
    subject: str | None,
    details: Mapping[str, Any],
    time: str | None = None,
) -> CustodyEvent:
    body = {
        "seq": seq,
        "time": time or utc_now(),
        "actor": actor,
        "action": action,
        "subject": subject,
        "details": dict(details),
        "prev": prev,
    }
    return CustodyEvent(**body, hash=event_hash(body))  # type: ignore[arg-type]


def parse_event(data: Mapping[str, Any]) -> CustodyEvent:
    try:
        return CustodyEvent(
            seq=int(data["seq"]),
            time=str(data["time"]),
            actor=str(data["actor"]),
            action=str(data["action"]),
            subject=None if data["subject"] is None else str(data["subject"]),
            details=dict(data["details"]),
            prev=str(data["prev"]),
            hash=str(data["hash"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CustodyError(f"not a custody event: {exc}") from None


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str
    offset: int  # byte length of the log up to and including this event's line


EMPTY_HEAD = Head(0, GENESIS, 0)


@dataclass(frozen=True)
class ChainProblem:
    line: int
    seq: int | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f" (event {self.seq})" if self.seq is not None else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ChainReport:
    events: int
    head: Head
    problems: tuple[ChainProblem, ...]

    @property
    def intact(self) -> bool:
        return not self.problems


def _rfind_newline(f: BinaryIO, before: int) -> int:
    """The offset of the last newline strictly before ``before``, or -1."""
    pos = before
    while pos > 0:
        step = min(1 << 16, pos)
        pos -= step
        f.seek(pos)
        i = f.read(step).rfind(b"\n")
        if i >= 0:
            return pos + i
    return -1


class CustodyLog:
    def __init__(self, path: Path, key: bytes | None, durable: bool = True) -> None:
        self.path = path
        self.key = key
        self.durable = durable
        self._fd: int | None = None
        self._head: Head | None = None

    # -- encoding --------------------------------------------------------------------------
    def _encode(self, event: CustodyEvent) -> bytes:
        plain = canonical_json(event.to_json())
        if self.key is None:
            return plain + b"\n"
        return seal_line(self.key, plain).encode("ascii") + b"\n"

    def _decode(self, raw: bytes) -> CustodyEvent:
        text = raw.rstrip(b"\n")
        if self.key is not None:
            try:
                text = open_line(self.key, text.decode("ascii"))
            except (IntegrityError, UnicodeDecodeError):
                raise CustodyError("line failed authentication (altered or not ours)") from None
        try:
            data = json.loads(text)
        except ValueError:
            raise CustodyError("line is not valid JSON") from None
        if not isinstance(data, dict):
            raise CustodyError("line is not a JSON object")
        return parse_event(data)

    # -- reading ---------------------------------------------------------------------------
    def lines(self, offset: int = 0) -> Iterator[tuple[int, bytes]]:
        """(byte offset after the line, raw line) from ``offset`` on; a final line without
        a newline (a torn write) is yielded too."""
        if not self.path.exists():
            return
        with open(self.path, "rb") as f:
            f.seek(offset)
            pos = offset
            for raw in f:
                pos += len(raw)
                yield pos, raw

    def events_from(self, offset: int) -> Iterator[tuple[int, CustodyEvent]]:
        for end, raw in self.lines(offset):
            if not raw.endswith(b"\n"):
                return
            yield end, self._decode(raw)

    def last_event(self) -> tuple[int, CustodyEvent] | None:
        """The final complete event and the offset where its line ends, read from the end
        (a torn fragment after the last newline is ignored)."""
        if not self.path.exists():
            return None
        with open(self.path, "rb") as f:
            size = f.seek(0, os.SEEK_END)
            last_nl = _rfind_newline(f, size)
            if last_nl < 0:
                return None
            start = _rfind_newline(f, last_nl) + 1
            f.seek(start)
            line = f.read(last_nl + 1 - start)
        return last_nl + 1, self._decode(line)

    def tail(self, n: int) -> list[CustodyEvent]:
        """The last ``n`` complete events (unreadable lines are skipped)."""
        if n <= 0 or not self.path.exists():
            return []
        with open(self.path, "rb") as f:
            end = _rfind_newline(f, f.seek(0, os.SEEK_END)) + 1
            start = end
            for _ in range(n):
                if start <= 0:
                    break
                start = _rfind_newline(f, start - 1) + 1
            f.seek(start)
            raw = f.read(end - start)
        out: list[CustodyEvent] = []
        for line in raw.splitlines(keepends=True):
            try:
                out.append(self._decode(line))
            except CustodyError:
                continue
        return out

    def verify(self, expected: Head | None = None) -> ChainReport:
        """Re-hash the whole chain. ``expected`` is the head the catalog recorded, which
        catches events deleted from the end of the log."""
        problems: list[ChainProblem] = []
        prev = GENESIS
        want_seq = 1
        count = 0
        head = EMPTY_HEAD
        lineno = 0
        for end, raw in self.lines():
            lineno += 1
            if not raw.endswith(b"\n"):
                problems.append(ChainProblem(lineno, None, "incomplete final line (torn write)"))
                break
            try:
                ev = self._decode(raw)
            except CustodyError as exc:
                problems.append(ChainProblem(lineno, None, f"unreadable: {exc}"))
                prev, want_seq = "", want_seq + 1
                continue
            count += 1
            if event_hash(ev.body()) != ev.hash:
                problems.append(
                    ChainProblem(lineno, ev.seq, "altered: its content does not match its hash")
                )
            if ev.seq != want_seq:
                problems.append(
                    ChainProblem(
                        lineno,
                        ev.seq,
                        f"out of sequence: expected event {want_seq} here "
                        "(an event was deleted, inserted or moved)",
                    )
                )
            if prev and ev.prev != prev:
                problems.append(
                    ChainProblem(
                        lineno,
                        ev.seq,
                        "broken link: its 'prev' is not the hash of the line before "
                        "(an event before it was altered, deleted, inserted or moved)",
                    )
                )
            prev, want_seq = ev.hash, ev.seq + 1
            head = Head(ev.seq, ev.hash, end)
        if expected is not None and expected.seq > 0:
            if head.seq < expected.seq:
                problems.append(
                    ChainProblem(
                        lineno + 1,
                        expected.seq,
                        f"missing: the catalog records events up to {expected.seq} "
                        f"but the log ends at {head.seq} (events deleted from the end)",
                    )
                )
            else:
                at = self._event_at(expected.offset)
                if at is None or at.hash != expected.hash:
                    problems.append(
                        ChainProblem(
                            0,
                            expected.seq,
                            "the catalog's recorded head does not match the log at that "
                            "point (the log or the catalog was replaced)",
                        )
                    )
        return ChainReport(count, head, tuple(problems))

    def _event_at(self, offset: int) -> CustodyEvent | None:
        """The event whose line ends at byte ``offset``."""
        if offset <= 0 or not self.path.exists():
            return None
        with open(self.path, "rb") as f:
            start = max(0, offset - (1 << 20))
            f.seek(start)
            data = f.read(offset - start)
        if not data.endswith(b"\n"):
            return None
        nl = data.rstrip(b"\n").rfind(b"\n")
        try:
            return self._decode(data[nl + 1 :])
        except CustodyError:
            return None

    # -- writing ---------------------------------------------------------------------------
    def open_for_append(self) -> Head:
        """Open the log for appending; returns its head. A torn final line left by a crash is
        cut off (its length and hash are reported in a 'log-repaired' event)."""
        self.path.touch(exist_ok=True)
        size = self.path.stat().st_size
        last = self.last_event()
        end = last[0] if last else 0
        torn = b""
        if end != size:
            with open(self.path, "rb") as f:
                f.seek(end)
                torn = f.read()
            os.truncate(self.path, end)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        self._head = Head(last[1].seq, last[1].hash, end) if last else EMPTY_HEAD
        if torn:
            self.append(
                "scrutiny",
                "log-repaired",
                None,
                {
                    "reason": "an incomplete final line from an interrupted write was cut off",
                    "discarded_bytes": len(torn),
                    "discarded_sha256": sha256_hex(torn),
                },
            )
        return self._head

    @property
    def head(self) -> Head:
        if self._head is None:
            raise CustodyError("custody log is not open for appending")
        return self._head

    def append(
        self, actor: str, action: str, subject: str | None, details: Mapping[str, Any]
    ) -> CustodyEvent:
        if self._fd is None or self._head is None:
            raise CustodyError("custody log is not open for appending")
        ev = make_event(self._head.seq + 1, self._head.hash, actor, action, subject, details)
        line = self._encode(ev)
        written = os.write(self._fd, line)
        if written != len(line):
            raise CustodyError("short write to the custody log")
        self._head = Head(ev.seq, ev.hash, self._head.offset + len(line))
        return ev

    def sync(self) -> None:
        if self._fd is not None and self.durable:
            os.fsync(self._fd)

    def close(self) -> None:
        if self._fd is not None:
            self.sync()
            os.close(self._fd)
            self._fd = None
