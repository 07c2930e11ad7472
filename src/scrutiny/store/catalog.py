"""The SQLite catalog (``case.db``): schema, versioned migrations, and the projection of
custody events into tables.

The catalog is SQLite in WAL mode through ``sqlcipher3`` (SQLite with SQLCipher 4 bundled).
An unencrypted case is a plain SQLite file any sqlite3 tool opens; an encrypted case's catalog
is keyed with a raw 256-bit key derived from the passphrase, so no page of it is plaintext.

Tables that hold what the custody log says (runs, items, provenances, ingest findings) are a
projection of the log: ``apply_event`` is the one place that writes them, and a catalog that
is behind the log after a crash is brought up to date by replaying events past its head.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import sqlcipher3

from scrutiny.core import CustodyEvent, Finding, ScrutinyError
from scrutiny.store.crypto import WrongPassphrase
from scrutiny.store.custody import EMPTY_HEAD, Head

Connection = Any  # sqlcipher3.Connection: the module has no type stubs
DatabaseError = sqlcipher3.DatabaseError

MIGRATIONS: list[str] = [
    # 1: the spine
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        started TEXT NOT NULL,
        finished TEXT,
        actor TEXT NOT NULL,
        note TEXT,
        args TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        status TEXT NOT NULL,
        summary TEXT
    );
    CREATE TABLE items (
        sha256 TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        mime TEXT NOT NULL,
        magic TEXT NOT NULL,
        received TEXT NOT NULL,
        first_run TEXT NOT NULL REFERENCES runs(id),
        custody_seq INTEGER NOT NULL
    );
    CREATE INDEX items_mime ON items(mime);
    CREATE TABLE provenances (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL REFERENCES items(sha256),
        run_id TEXT NOT NULL REFERENCES runs(id),
        source TEXT NOT NULL,
        chain TEXT NOT NULL,
        parent TEXT,
        mtime TEXT NOT NULL,
        ext_mime TEXT,
        ext_mismatch INTEGER NOT NULL,
        custody_seq INTEGER NOT NULL,
        UNIQUE (sha256, source, chain, mtime)
    );
    CREATE INDEX provenances_parent ON provenances(parent);
    CREATE TABLE findings (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        code TEXT NOT NULL,
        subject TEXT NOT NULL,
        severity INTEGER NOT NULL,
        title TEXT NOT NULL,
        explanation TEXT NOT NULL,
        evidence TEXT NOT NULL,
        check_version TEXT NOT NULL,
        run_id TEXT,
        created TEXT NOT NULL,
        custody_seq INTEGER
    );
    CREATE INDEX findings_code ON findings(code);
    CREATE INDEX findings_subject ON findings(subject);
    """,
    # 2: extraction (derived data: rebuilt from the blobs by re-running the extractors)
    """
    CREATE TABLE extractions (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL REFERENCES items(sha256),
        extractor TEXT NOT NULL,
        version TEXT NOT NULL,
        run_id TEXT NOT NULL,
        status TEXT NOT NULL,
        error TEXT,
        finished TEXT NOT NULL,
        seconds REAL NOT NULL,
        UNIQUE (sha256, extractor, version)
    );
    CREATE INDEX extractions_status ON extractions(status);
    CREATE TABLE metadata (
        extraction_id INTEGER NOT NULL REFERENCES extractions(id),
        sha256 TEXT NOT NULL,
        location TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT,
        raw TEXT
    );
    CREATE INDEX metadata_item ON metadata(sha256, key);
    CREATE INDEX metadata_key ON metadata(key);
    CREATE TABLE texts (
        id INTEGER PRIMARY KEY,
        extraction_id INTEGER NOT NULL REFERENCES extractions(id),
        sha256 TEXT NOT NULL,
        location TEXT NOT NULL,
        text TEXT NOT NULL
    );
    CREATE INDEX texts_item ON texts(sha256);
    CREATE VIRTUAL TABLE texts_fts USING fts5(
        text, content='texts', content_rowid='id', tokenize='trigram'
    );
    CREATE TABLE column_maps (
        extraction_id INTEGER NOT NULL REFERENCES extractions(id),
        sha256 TEXT NOT NULL,
        tbl TEXT NOT NULL,
        col INTEGER NOT NULL,
        header TEXT NOT NULL,
        field TEXT,
        how TEXT NOT NULL
    );
    CREATE TABLE records (
        id INTEGER PRIMARY KEY,
        extraction_id INTEGER NOT NULL REFERENCES extractions(id),
        sha256 TEXT NOT NULL,
        source TEXT NOT NULL,
        location TEXT NOT NULL,
        main_id INTEGER REFERENCES records(id),
        relation TEXT NOT NULL,
        name TEXT,
        id_number TEXT,
        sex TEXT,
        birth_date TEXT,
        fields TEXT NOT NULL,
        id_info TEXT NOT NULL,
        raw TEXT NOT NULL
    );
    CREATE INDEX records_extraction ON records(extraction_id);
    CREATE INDEX records_id_number ON records(id_number);
    CREATE INDEX records_name ON records(name);
    CREATE INDEX records_main ON records(main_id);
    """,
    # 3: checks — how far each check (code, version) has got through the records and items,
    # so a new run only looks at what is new; findings go to the findings table.
    """
    CREATE TABLE check_state (
        code TEXT NOT NULL,
        version TEXT NOT NULL,
        kind TEXT NOT NULL,
        last_id INTEGER NOT NULL,
        run_id TEXT NOT NULL,
        PRIMARY KEY (code, version, kind)
    );
    CREATE INDEX findings_severity ON findings(severity);
    """,
    # 4: derived images (error-level and noise maps …): blobs made by a check from an item,
    # kept for the report; not evidence, but written with custody like everything stored.
    """
    CREATE TABLE derived (
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        source TEXT NOT NULL,
        kind TEXT NOT NULL,
        mime TEXT NOT NULL,
        check_code TEXT NOT NULL,
        params TEXT NOT NULL,
        run_id TEXT,
        custody_seq INTEGER NOT NULL,
        PRIMARY KEY (source, kind, check_code)
    );
    CREATE INDEX derived_sha ON derived(sha256);
    """,
    # 5: reference databases (victim lists) and record linkage: imported sets, versioned by
    # name; their entries, normalised like leak records; linkage runs with the model they
    # used; candidate matches with their per-comparison explanation; append-only judgements
    # of a pair (record × entry, or record × record), the newest one standing.
    """
    CREATE TABLE reference_sets (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        file_name TEXT NOT NULL,
        format TEXT NOT NULL,
        mapping TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        imported_by TEXT NOT NULL,
        entries INTEGER NOT NULL,
        independent INTEGER NOT NULL DEFAULT 1,
        note TEXT,
        UNIQUE (name, version)
    );
    CREATE TABLE reference_entries (
        id INTEGER PRIMARY KEY,
        set_id INTEGER NOT NULL REFERENCES reference_sets(id),
        location TEXT NOT NULL,
        entry_key TEXT,
        name TEXT,
        id_number TEXT,
        sex TEXT,
        birth_date TEXT,
        fields TEXT NOT NULL,
        id_info TEXT NOT NULL,
        raw TEXT NOT NULL
    );
    CREATE INDEX reference_entries_set ON reference_entries(set_id);
    CREATE TABLE link_runs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('reference', 'dedupe')),
        set_id INTEGER REFERENCES reference_sets(id),
        backend TEXT NOT NULL,
        threshold REAL NOT NULL,
        model TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        actor TEXT NOT NULL,
        stats TEXT
    );
    CREATE TABLE matches (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES link_runs(id),
        left_record INTEGER NOT NULL REFERENCES records(id),
        right_record INTEGER REFERENCES records(id),
        right_entry INTEGER REFERENCES reference_entries(id),
        probability REAL NOT NULL,
        weight REAL NOT NULL,
        explanation TEXT NOT NULL,
        CHECK ((right_record IS NULL) <> (right_entry IS NULL))
    );
    CREATE INDEX matches_run ON matches(run_id, probability);
    CREATE INDEX matches_left ON matches(left_record);
    CREATE TABLE judgements (
        id INTEGER PRIMARY KEY,
        match_id INTEGER NOT NULL REFERENCES matches(id),
        left_record INTEGER NOT NULL,
        right_record INTEGER,
        right_entry INTEGER,
        decision TEXT NOT NULL CHECK (decision IN ('accept', 'reject', 'unsure')),
        by TEXT NOT NULL,
        reason TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX judgements_pair ON judgements(left_record, right_entry, right_record);
    CREATE TRIGGER judgements_no_update BEFORE UPDATE ON judgements
        BEGIN SELECT RAISE(ABORT, 'judgements are append-only'); END;
    CREATE TRIGGER judgements_no_delete BEFORE DELETE ON judgements
        BEGIN SELECT RAISE(ABORT, 'judgements are append-only'); END;
    """,
    # 6: the corroboration ledger — claims and the evidence for or against them, each with
    # append-only versions (a correction adds a version; the newest stands, all stay
    # visible). ``auto_key`` names what an automatic claim or evidence was derived from, so
    # deriving again adds only what is new.
    """
    CREATE TABLE claims (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('person', 'item', 'facility', 'event')),
        subject TEXT,
        auto_key TEXT UNIQUE,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL
    );
    CREATE INDEX claims_subject ON claims(subject);
    CREATE TABLE claim_versions (
        id INTEGER PRIMARY KEY,
        claim_id INTEGER NOT NULL REFERENCES claims(id),
        statement TEXT NOT NULL,
        who TEXT,
        place TEXT,
        date_from TEXT,
        date_to TEXT,
        reason TEXT,
        at TEXT NOT NULL,
        by TEXT NOT NULL
    );
    CREATE INDEX claim_versions_claim ON claim_versions(claim_id, id);
    CREATE TABLE evidence (
        id INTEGER PRIMARY KEY,
        claim_id INTEGER NOT NULL REFERENCES claims(id),
        auto_key TEXT UNIQUE,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL
    );
    CREATE INDEX evidence_claim ON evidence(claim_id);
    CREATE TABLE evidence_versions (
        id INTEGER PRIMARY KEY,
        evidence_id INTEGER NOT NULL REFERENCES evidence(id),
        stance TEXT NOT NULL CHECK (stance IN ('supports', 'contradicts')),
        source_type TEXT NOT NULL,
        origin TEXT NOT NULL,
        independent INTEGER NOT NULL,
        source TEXT NOT NULL,
        dated TEXT,
        sha256 TEXT,
        record_id INTEGER,
        entry_id INTEGER,
        match_id INTEGER,
        note TEXT,
        withdrawn INTEGER NOT NULL DEFAULT 0,
        reason TEXT,
        at TEXT NOT NULL,
        by TEXT NOT NULL
    );
    CREATE INDEX evidence_versions_evidence ON evidence_versions(evidence_id, id);
    CREATE INDEX claim_versions_at ON claim_versions(at);
    CREATE TRIGGER claims_no_update BEFORE UPDATE ON claims
        BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
    CREATE TRIGGER claims_no_delete BEFORE DELETE ON claims
        BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
    CREATE TRIGGER claim_versions_no_update BEFORE UPDATE ON claim_versions
        BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
    CREATE TRIGGER claim_versions_no_delete BEFORE DELETE ON claim_versions
        BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
    CREATE TRIGGER evidence_no_update BEFORE UPDATE ON evidence
        BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
    CREATE TRIGGER evidence_no_delete BEFORE DELETE ON evidence
        BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
    CREATE TRIGGER evidence_versions_no_update BEFORE UPDATE ON evidence_versions
        BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
    CREATE TRIGGER evidence_versions_no_delete BEFORE DELETE ON evidence_versions
        BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
    """,    # 7: facility registers — the places a case's leak names (detention facilities mapped
    # from satellite imagery and reports), imported as versions; a version is never altered.
    """
    CREATE TABLE facility_registers (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        file_name TEXT NOT NULL,
        format TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        imported_by TEXT NOT NULL,
        facilities INTEGER NOT NULL,
        UNIQUE (name, version)
    );
    CREATE TABLE facilities (
        id INTEGER PRIMARY KEY,
        register_id INTEGER NOT NULL REFERENCES facility_registers(id),
        location TEXT NOT NULL,
        key TEXT,
        name TEXT NOT NULL,
        aliases TEXT NOT NULL,
        lat REAL,
        lon REAL,
        geometry TEXT,
        county_code TEXT,
        kind TEXT,
        first_seen TEXT,
        last_seen TEXT,
        source TEXT,
        fields TEXT NOT NULL
    );
    CREATE INDEX facilities_register ON facilities(register_id);
    CREATE TRIGGER facilities_no_update BEFORE UPDATE ON facilities
        BEGIN SELECT RAISE(ABORT, 'an imported register is never altered'); END;
    CREATE TRIGGER facilities_no_delete BEFORE DELETE ON facilities
        BEGIN SELECT RAISE(ABORT, 'an imported register is never altered'); END;
    """,    # 8: accounts of the web workbench and its audit log (who saw or changed what, when):
    # users change only by new rows in user_changes (role, password, disabled); the audit
    # log is append-only.
    """
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL
    );
    CREATE TABLE user_changes (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        role TEXT NOT NULL CHECK (role IN ('viewer', 'reviewer', 'admin')),
        password TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        at TEXT NOT NULL,
        by TEXT NOT NULL
    );
    CREATE INDEX user_changes_user ON user_changes(user_id, id);
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        user TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT,
        details TEXT NOT NULL
    );
    CREATE INDEX audit_user ON audit(user, id);
    CREATE TRIGGER users_no_update BEFORE UPDATE ON users
        BEGIN SELECT RAISE(ABORT, 'accounts change by new rows only'); END;
    CREATE TRIGGER users_no_delete BEFORE DELETE ON users
        BEGIN SELECT RAISE(ABORT, 'accounts change by new rows only'); END;
    CREATE TRIGGER user_changes_no_update BEFORE UPDATE ON user_changes
        BEGIN SELECT RAISE(ABORT, 'accounts change by new rows only'); END;
    CREATE TRIGGER user_changes_no_delete BEFORE DELETE ON user_changes
        BEGIN SELECT RAISE(ABORT, 'accounts change by new rows only'); END;
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    """,
    # 9: a person's matches from either side (a record page lists the dedupe matches where
    # the record is the second one too)
    """
    CREATE INDEX matches_right ON matches(right_record);
    """,
]

FROM_LEAK = ("EXISTS (SELECT 1 FROM provenances p LEFT JOIN runs r ON r.id = p.run_id "
             "WHERE p.sha256 = i.sha256 AND coalesce(r.kind, '') NOT IN "
             "('reference', 'evidence'))")
"""SQL condition on an item ``i``: it was received as part of the leak (by ingest, or
unpacked from something that was), not only imported as a reference database (a victim list
is read by ``scrutiny reference add``, never turned into leak records) or attached to the
ledger as evidence (a relative's photo or a satellite image is not leak material)."""


def connect(path: Path, key: bytes | None) -> Connection:
    """Open (creating if needed) and migrate the catalog. A wrong key is ``WrongPassphrase``."""
    conn = sqlcipher3.connect(str(path), timeout=30.0, isolation_level=None)
    if key is not None:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except DatabaseError:
        conn.close()
        if key is not None:
            raise WrongPassphrase("wrong passphrase for this case's catalog") from None
        raise ScrutinyError(
            f"{path} is not a readable catalog (encrypted case opened without a passphrase?)"
        ) from None
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA cache_size = -65536")  # 64 MiB: index inserts of 10⁶-row rosters
    migrate(conn)
    return conn


def schema_version(conn: Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _statements(script: str) -> list[str]:
    """The SQL statements of a migration script, split at the semicolons that end one
    (a trigger's body holds semicolons of its own)."""
    out: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                out.append(pending)
            pending = ""
    if pending.strip(" \n;"):
        out.append(pending)
    return out


def migrate(conn: Connection) -> None:
    version = schema_version(conn)
    if version > len(MIGRATIONS):
        raise ScrutinyError(
            f"this case was written by a newer scrutiny (schema {version}); upgrade scrutiny"
        )
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(script):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def get_meta(conn: Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_meta(conn: Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta(key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def get_head(conn: Connection) -> Head:
    raw = get_meta(conn, "custody_head")
    if raw is None:
        return EMPTY_HEAD
    data = json.loads(raw)
    return Head(int(data["seq"]), str(data["hash"]), int(data["offset"]))


def set_head(conn: Connection, head: Head) -> None:
    set_meta(
        conn,
        "custody_head",
        json.dumps({"seq": head.seq, "hash": head.hash, "offset": head.offset}),
    )


# -- projection of custody events ----------------------------------------------------------


def _run_started(conn: Connection, ev: CustodyEvent) -> None:
    d = ev.details
    conn.execute(
        "INSERT OR IGNORE INTO runs(id, kind, started, actor, note, args, tool_version, status) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, 'running')",
        (d["run"], d["kind"], ev.time, ev.actor, d.get("note"), json.dumps(d.get("args", [])),
         d["tool_version"]),
    )


def _run_finished(conn: Connection, ev: CustodyEvent) -> None:
    d = ev.details
    conn.execute(
        "UPDATE runs SET finished = ?, status = ?, summary = ? WHERE id = ?",
        (ev.time, d.get("status", "finished"), json.dumps(d.get("summary", {})), d["run"]),
    )


def _received(conn: Connection, ev: CustodyEvent) -> None:
    d = ev.details
    conn.execute(
        "INSERT OR IGNORE INTO items(sha256, size, mime, magic, received, first_run, custody_seq)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (ev.subject, d["size"], d["mime"], d["magic"], ev.time, d["run"], ev.seq),
    )
    conn.execute(
        "INSERT OR IGNORE INTO provenances(sha256, run_id, source, chain, parent, mtime, "
        "ext_mime, ext_mismatch, custody_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (ev.subject, d["run"], d["source"], json.dumps(d["chain"], ensure_ascii=False),
         d.get("parent"), d["mtime"], d.get("ext_mime"), int(bool(d.get("ext_mismatch"))),
         ev.seq),
    )


def _finding(conn: Connection, ev: CustodyEvent) -> None:
    raw = ev.details.get("finding")
    if not isinstance(raw, Mapping):
        return
    insert_finding(conn, Finding.from_json(raw), ev.details.get("run"), ev.time, ev.seq)


def insert_finding(
    conn: Connection,
    finding: Finding,
    run_id: str | None,
    created: str,
    custody_seq: int | None = None,
) -> bool:
    """Store a finding once; returns False if the same observation is already stored."""
    cur = conn.execute(
        "INSERT OR IGNORE INTO findings(key, code, subject, severity, title, explanation, "
        "evidence, check_version, run_id, created, custody_seq) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (finding.key, finding.code, finding.subject, int(finding.severity), finding.title,
         finding.explanation, json.dumps(dict(finding.evidence), ensure_ascii=False,
                                         sort_keys=True),
         finding.check_version, run_id, created, custody_seq),
    )
    return bool(cur.rowcount)


def _derived(conn: Connection, ev: CustodyEvent) -> None:
    d = ev.details
    conn.execute(
        "INSERT OR REPLACE INTO derived(sha256, size, source, kind, mime, check_code, params, "
        "run_id, custody_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (ev.subject, d["size"], d["source"], d["kind"], d["mime"], d["check"],
         json.dumps(d.get("params", {}), sort_keys=True), d.get("run"), ev.seq))


def _judged(conn: Connection, ev: CustodyEvent) -> None:
    """A match judgement (append-only): restored from the log if the catalog lost it, as
    long as the match it judges is still there (matches can be made again by linking)."""
    d = ev.details
    if conn.execute("SELECT 1 FROM matches WHERE id = ?", (d["match"],)).fetchone() is None:
        return
    conn.execute(
        "INSERT OR IGNORE INTO judgements(id, match_id, left_record, right_record, right_entry, "
        "decision, by, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (d["judgement"], d["match"], d["left_record"], d.get("right_record"),
         d.get("right_entry"), d["decision"], ev.actor, d["reason"], ev.time))


def _claimed(conn: Connection, ev: CustodyEvent) -> None:
    """A claim entered or corrected by hand: restored from the log if the catalog lost it."""
    d = ev.details
    if d.get("new"):
        conn.execute("INSERT OR IGNORE INTO claims(id, kind, subject, auto_key, created_at, "
                     "created_by) VALUES (?, ?, ?, NULL, ?, ?)",
                     (d["claim"], d["kind"], d.get("subject"), ev.time, ev.actor))
    if conn.execute("SELECT 1 FROM claims WHERE id = ?", (d["claim"],)).fetchone() is None:
        return
    conn.execute(
        "INSERT OR IGNORE INTO claim_versions(id, claim_id, statement, who, place, date_from, "
        "date_to, reason, at, by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (d["version"], d["claim"], d["statement"], d.get("who"), d.get("place"),
         d.get("date_from"), d.get("date_to"), d.get("reason"), ev.time, ev.actor))


def _evidenced(conn: Connection, ev: CustodyEvent) -> None:
    """Evidence entered, corrected or withdrawn by hand: restored from the log if lost."""
    d = ev.details
    if conn.execute("SELECT 1 FROM claims WHERE id = ?", (d["claim"],)).fetchone() is None:
        return
    if d.get("new"):
        conn.execute("INSERT OR IGNORE INTO evidence(id, claim_id, auto_key, created_at, "
                     "created_by) VALUES (?, ?, ?, ?, ?)",
                     (d["evidence"], d["claim"], d.get("key"), ev.time, ev.actor))
    conn.execute(
        "INSERT OR IGNORE INTO evidence_versions(id, evidence_id, stance, source_type, origin, "
        "independent, source, dated, sha256, record_id, entry_id, match_id, note, withdrawn, "
        "reason, at, by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (d["version"], d["evidence"], d["stance"], d["source_type"], d["origin"],
         int(bool(d["independent"])), d["source"], d.get("dated"), d.get("sha256"),
         d.get("record_id"), d.get("entry_id"), d.get("match_id"), d.get("note"),
         int(bool(d.get("withdrawn"))), d.get("reason"), ev.time, ev.actor))


PROJECTIONS: dict[str, Callable[[Connection, CustodyEvent], None]] = {
    "claimed": _claimed,
    "evidenced": _evidenced,
    "derived": _derived,
    "judged": _judged,
    "run-started": _run_started,
    "run-finished": _run_finished,
    "received": _received,
    "error": _finding,
}
"""Which custody actions change the catalog. Every other action is recorded in the log only."""


def apply_event(conn: Connection, ev: CustodyEvent) -> None:
    handler = PROJECTIONS.get(ev.action)
    if handler is not None:
        handler(conn, ev)
