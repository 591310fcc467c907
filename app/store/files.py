"""Crash-safe replacement of small files.

The key file and the login counters live outside the database, so they get SQLite's
guarantee by hand: write a temporary file, fsync it, rename it over the old one, fsync the
directory. A crash or a full disk leaves either the old file or the new one, never half.
"""

import os
from pathlib import Path

from app.errors import StoreWriteFailed


def replace_file(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        sync_directory(path.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StoreWriteFailed(
            f"Could not write {path.name} in {path.parent} ({exc.strerror}); "
            "the previous version is unchanged."
        ) from exc


def sync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
