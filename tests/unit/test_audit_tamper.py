"""The tamper harness: a real log, then >= 1,000 seeded mutations, each on a fresh copy of the database file.

Every mutation must be detected, and ``verify`` must name the first bad seq the mutation produced.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from support.audit_logs import audit_config, build_log, keyring, open_store
from support.audit_tamper import MUTATIONS, WEIGHTS, Base
from wardgate.audit import AUDIT_DB, verify
from wardgate.audit.chain import Checkpoint, genesis_hash
from wardgate.audit.checkpoints import export_lines, load_checkpoint_file

RECORDS = 240
MUTATION_COUNT = 1300
SEED = 20261122


def _base(data_dir: Path) -> tuple[bytes, Base, list[Checkpoint]]:
    config = audit_config(checkpoint_every_records=40, segment_max_records=25)
    build_log(data_dir, RECORDS // 2, config=config, ring=keyring())
    build_log(data_dir, RECORDS // 2, config=config, ring=keyring())  # a second writer run: new segments
    path = data_dir / AUDIT_DB
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=DELETE")  # one self-contained file to copy
    rows = conn.execute("SELECT seq, time, kind, record_id, body, hash FROM records ORDER BY seq").fetchall()
    checkpoints = [seq for (seq,) in conn.execute("SELECT seq FROM checkpoints ORDER BY seq")]
    log_id = conn.execute("SELECT value FROM meta WHERE key = 'log_id'").fetchone()[0]
    conn.close()
    sealed: list[int] = []
    first: dict[str, int] = {}
    for row in rows:
        blob = json.loads(row[4]).get("sealed")
        if blob is not None:
            sealed.append(row[0])
            first.setdefault(blob["seg"], row[0])
    store = open_store(data_dir)
    (data_dir / "exported.jsonl").write_text("".join(line + "\n" for line in export_lines(store)))
    store.close()
    exported = list(load_checkpoint_file(data_dir / "exported.jsonl").checkpoints)  # kept outside the database
    base = Base(rows, sealed, first, checkpoints, {"genesis": genesis_hash(log_id).hex()})
    return path.read_bytes(), base, exported


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, Base, list[Checkpoint]]:
    return _base(tmp_path_factory.mktemp("audit-base"))


def test_the_untouched_log_verifies(harness: tuple[bytes, Base, list[Checkpoint]], tmp_path: Path) -> None:
    image, base, exported = harness
    (tmp_path / AUDIT_DB).write_bytes(image)
    store = open_store(tmp_path)
    report = verify(store, exported=exported, keyring=keyring())
    store.close()
    assert report.ok, report.problem
    assert report.records_checked == RECORDS
    assert len(base.segment_first) >= 4
    assert report.checkpoints_checked == len(base.checkpoints) + len(exported)


def _apply(path: Path, image: bytes, base: Base, name: str, rng: random.Random) -> int | None:
    path.write_bytes(image)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous=OFF")  # a scratch copy: no fsync
        conn.execute("BEGIN")
        expected = MUTATIONS[name](conn, base, rng)
        conn.execute("COMMIT" if expected is not None else "ROLLBACK")
    finally:
        conn.close()
    return expected


def test_every_mutation_is_detected_at_the_right_seq(
    harness: tuple[bytes, Base, list[Checkpoint]], tmp_path: Path
) -> None:
    image, base, exported = harness
    rng = random.Random(SEED)
    names = sorted(MUTATIONS)
    weights = [WEIGHTS.get(name, 1) for name in names]
    path = tmp_path / AUDIT_DB
    done: Counter[str] = Counter()
    wrong: list[str] = []
    while sum(done.values()) < MUTATION_COUNT:
        name = rng.choices(names, weights)[0]
        expected = _apply(path, image, base, name, rng)
        if expected is None:
            continue
        done[name] += 1
        store = open_store(tmp_path)
        try:
            report = verify(store, exported=exported, keyring=keyring())
        finally:
            store.close()
        found = report.problem
        if found is None or found.seq != expected:
            wrong.append(f"{name}: expected seq {expected}, got {found}")
    assert not wrong, f"{len(wrong)} of {MUTATION_COUNT} wrong; first: {wrong[:5]}"
    assert set(done) == set(MUTATIONS), done
