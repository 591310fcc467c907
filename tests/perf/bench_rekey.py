"""Benchmark: how long a key rotation's PRAGMA rekey takes on a big store.

    python -m tests.perf.bench_rekey --size-mb 1024

Locking a user or resetting a password re-encrypts every page of the store under a new
key (app.security.key_rotation), while the admin waits. This builds a store of about
--size-mb quickly (1 MiB random rows, which do not compress), then times Database.rekey
(the PRAGMA rekey transaction and the WAL checkpoint as the connection closes). Baseline
in the same run: a plain copy of the same file, with fsync, which reads and writes the
same number of bytes without decrypting or encrypting them. Prints JSON.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import orjson

from app.store.database import Database
from app.store.keys import new_data_key

MIB = 1024 * 1024


def copy_with_fsync(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)
    fd = os.open(target, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=64)
    size_mb = parser.parse_args(argv).size_mb
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "hearth.db"
        key = new_data_key()
        db = Database(path, key)
        with db.write() as conn:
            conn.exec_driver_sql("CREATE TABLE bulk (b BLOB)")
            conn.exec_driver_sql(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
                "INSERT INTO bulk SELECT randomblob(?) FROM n", (size_mb, MIB))
        db.close()
        actual_mb = path.stat().st_size / MIB

        start = time.perf_counter()
        copy_with_fsync(path, Path(tmp) / "copy.db")
        copy_s = time.perf_counter() - start
        (Path(tmp) / "copy.db").unlink()

        start = time.perf_counter()
        db = Database(path, key)
        db.rekey(new_key := new_data_key())
        db.close()
        rekey_s = time.perf_counter() - start

        check = Database(path, new_key)
        check.check_readable()
        check.close()
    print(orjson.dumps({
        "store_mb": round(actual_mb), "rekey_s": round(rekey_s, 2),
        "rekey_mb_per_s": round(actual_mb / rekey_s), "baseline_copy_s": round(copy_s, 2),
        "baseline_copy_mb_per_s": round(actual_mb / copy_s),
    }).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
