"""Files on the instance's disk that only the service user may read."""

from __future__ import annotations

import os
from pathlib import Path


def private_file(path: Path) -> None:
    """A file readable by its owner only (0600, like the instance keys): made so if new, closed up
    if made before this rule. SQLite gives a database's -wal and -shm files the same mode."""
    if not path.parent.is_dir():
        return  # whoever opens it will say what is wrong
    try:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # the mode of a new file
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)  # one created before this rule
    except OSError:
        pass  # not ours to change (another user's file, a read-only mount): the opener decides
