"""Where a store's files live.

A store is one directory, so that IT can back it up, move it or wipe it as a unit: the
SQLCipher database (with its WAL), the key file that holds only wrapped copies of the data
key, the login-attempt counters, and the migration backups.
"""

from dataclasses import dataclass
from pathlib import Path

import platformdirs


def default_store_dir() -> Path:
    """The platform's per-user data directory, e.g. ~/.local/share/Hearth/store on Linux."""
    return Path(platformdirs.user_data_dir("Hearth", appauthor=False)) / "store"


def demo_store_dir() -> Path:
    """The demo clinic's store, beside (never in place of) the real one."""
    return Path(platformdirs.user_data_dir("Hearth", appauthor=False)) / "demo"


@dataclass(frozen=True)
class StorePaths:
    root: Path

    @property
    def database(self) -> Path:
        return self.root / "hearth.db"

    @property
    def key_file(self) -> Path:
        return self.root / "keys.json"

    @property
    def login_attempts(self) -> Path:
        return self.root / "login-attempts.json"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    def exists(self) -> bool:
        return self.key_file.exists() or self.database.exists()
