"""Where a planwatch installation keeps its own files: the SQLite database and the secret key.

``$PLANWATCH_HOME`` (default ``./planwatch-data``) is created on first use, so a fresh machine
needs no set-up step before ``planwatch demo``.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def home() -> Path:
    path = Path(os.environ.get("PLANWATCH_HOME", "planwatch-data")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key() -> str:
    """The SECRET_KEY from the environment, else one generated once and kept in the home."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = home() / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key
