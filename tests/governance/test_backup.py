"""planwatch backup / restore round trips on a real database file (and on PostgreSQL when CI runs there)."""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PLAN = REPO / "planwatch" / "plans" / "demo" / "dongcheng-2021.yaml"


def in_process_round_trip(workdir: str) -> None:
    """The round trip itself, run in a fresh interpreter whose DATABASE_URL/PLANWATCH_HOME are set.

    One interpreter runs every command (through click's runner) so the test pays Django's
    start-up once; the commands are the ones an operator types.
    """
    from click.testing import CliRunner

    from planwatch.cli import main

    tmp_path = Path(workdir)

    def cli(*args, check=True):
        result = CliRunner().invoke(main, list(args), env={"PLANWATCH_PASSWORD": "a-long-pass-phrase-7"})
        if check and result.exit_code != 0:
            raise AssertionError(f"planwatch {' '.join(args)} failed:\n{result.output}\n{result.exception!r}")
        return result

    cli("init")
    cli("plan", "load", str(PLAN))
    cli("user", "add", "alice", "--role", "viewer")
    backup = tmp_path / "planwatch.backup"
    cli("backup", str(backup))
    assert backup.stat().st_size > 0
    # changes after the backup ...
    cli("user", "add", "bob", "--role", "planner")
    cli("lock", "dongcheng-2021", "2021H1", "--reason", "after the backup")
    assert "bob" in cli("user", "list").output
    # ... are gone after the restore, and what came before is back
    cli("restore", "--yes", str(backup))
    users = cli("user", "list").output
    assert "alice" in users and "bob" not in users, users
    trail = json.loads(cli("audit", "--format", "json").output)
    actions = {e["action"] for e in trail}
    assert "plan.load" in actions and "user.create" in actions and "period.lock" not in actions, actions
    # the restored database is writable and the app carries on
    cli("lock", "dongcheng-2021", "2021H1", "--reason", "after the restore")
    # a file that is not a backup is refused with a clear message and changes nothing
    bogus = tmp_path / "bogus.bin"
    bogus.write_bytes(b"not a backup at all")
    bad = cli("restore", "--yes", str(bogus), check=False)
    assert bad.exit_code != 0 and "备份" in bad.output, bad.output
    assert "alice" in cli("user", "list").output
    print("ROUND TRIP OK")


def round_trip(env, tmp_path):
    code = f"from tests.governance.test_backup import in_process_round_trip; in_process_round_trip({str(tmp_path)!r})"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0 and "ROUND TRIP OK" in result.stdout, result.stdout + result.stderr


def base_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update({"PLANWATCH_HOME": str(tmp_path / "home"), "SECRET_KEY": secrets.token_urlsafe(50)})
    return env


def test_sqlite_backup_restore_round_trip(tmp_path):
    round_trip(base_env(tmp_path), tmp_path)


def test_postgresql_backup_restore_round_trip(tmp_path):
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("DATABASE_URL is not PostgreSQL (CI runs this suite on PostgreSQL too)")
    import psycopg
    from dj_database_url import parse

    cfg = parse(url)
    scratch = f"planwatch_backup_{secrets.token_hex(4)}"
    admin = psycopg.connect(host=cfg["HOST"] or None, port=cfg["PORT"] or None, user=cfg["USER"] or None,
                            password=cfg["PASSWORD"] or None, dbname="postgres", autocommit=True)
    admin.execute(f'CREATE DATABASE "{scratch}"')
    try:
        base, _, _ = url.rpartition("/")
        env = {**base_env(tmp_path), "DATABASE_URL": f"{base}/{scratch}"}
        round_trip(env, tmp_path)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        admin.close()
