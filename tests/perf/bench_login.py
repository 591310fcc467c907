"""Benchmark: what a login costs with the shipped policy, against its parts.

Run inside a keyring session (see README):  python -m tests.perf.bench_login --runs 10
Prints JSON. Baselines measured in the same run: opening the database with the raw data key
alone (the floor), and with a SQLCipher passphrase (its default PBKDF2 KDF), which is what
a login would cost every time if the password keyed the database directly.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import orjson
import sqlcipher3

from app.bootstrap import Environment, init_store, open_workstation
from app.store.database import Database
from app.store.keys import new_data_key


def timed(action, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "store"
        env = Environment()
        init_store(env, root, "admin", "Bench Admin", "bench password 1")
        login = timed(lambda: open_workstation(env, root, "admin", "bench password 1").close(),
                      runs)

        key = new_data_key()
        prepare = Database(Path(tmp) / "raw.db", key)
        with prepare.write() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x)")
        prepare.close()
        conn = sqlcipher3.connect(str(Path(tmp) / "pass.db"))
        conn.execute("PRAGMA key='bench password 1'")
        conn.execute("CREATE TABLE t (x)")
        conn.close()

        def raw_open():
            db = Database(Path(tmp) / "raw.db", key)
            db.check_readable()
            db.close()

        raw = timed(raw_open, runs)

        def passphrase_open():
            conn = sqlcipher3.connect(str(Path(tmp) / "pass.db"))
            conn.execute("PRAGMA key='bench password 1'")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            conn.close()

        passphrase = timed(passphrase_open, runs)
    p50 = statistics.median
    print(orjson.dumps({
        "runs": runs,
        "login_ms_p50": round(p50(login), 1),
        "raw_key_open_ms_p50": round(p50(raw), 2),
        "passphrase_open_ms_p50": round(p50(passphrase), 1),
        "login_over_passphrase_open": round(p50(login) / p50(passphrase), 2),
    }, option=orjson.OPT_INDENT_2).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
