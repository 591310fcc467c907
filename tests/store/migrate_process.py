"""A Hearth migrating a store, for the crash test of schema 17's migration.

    python migrate_process.py DATABASE KEY_HEX

Prints "migrating" when the migration's write transaction begins (the backup is made by
then) and "migrated" once every migration has committed, so the parent can kill it in
between.
"""

import sys
from pathlib import Path

from sqlalchemy import event

from app.store.database import Database
from app.store.schema.migrations import migrate


def main() -> None:
    path, key = Path(sys.argv[1]), bytes.fromhex(sys.argv[2])
    database = Database(path, key)

    @event.listens_for(database.engine, "begin")
    def _began(_conn):
        print("migrating", flush=True)

    migrate(database, path.parent / "backups")
    print("migrated", flush=True)


if __name__ == "__main__":
    main()
