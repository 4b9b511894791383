"""Large SQLite reads go through the ADBC driver in a child process, never in this one: two
copies of SQLite in one process break its file locks, and this process's later commits were then
invisible to other processes."""
from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from planwatch.assess import load

pytest.importorskip("adbc_driver_sqlite")


def test_rows_come_back_typed_and_later_commits_are_seen_by_others(tmp_path):
    path = tmp_path / "db.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE v (id INTEGER PRIMARY KEY, value REAL)")
    db.executemany("INSERT INTO v (value) VALUES (?)", [(None,), (1.5,), (2.5,)])
    frame = load._sqlite_arrow(str(path), "SELECT id, value FROM v ORDER BY id")
    assert frame.rows() == [(1, None), (2, 1.5), (3, 2.5)]  # a column starting with NULL is still REAL
    db.execute("INSERT INTO v (value) VALUES (4.5)")
    seen = subprocess.run([sys.executable, "-c", "import sqlite3, sys; print(sqlite3.connect(sys.argv[1])"
                           ".execute('SELECT count(*) FROM v').fetchone()[0])", str(path)],
                          capture_output=True, text=True, check=True).stdout.strip()
    assert seen == "4"
    db.close()


def test_a_failing_read_falls_back_to_none(tmp_path):
    assert load._sqlite_arrow(str(tmp_path / "missing-dir" / "no.sqlite3"), "SELECT 1") is None
