"""A Hearth writer for the crash tests: registers patients until it is killed.

    python writer_process.py STORE USER PASSWORD RUN [--hold N POINT]

Signs in through app.bootstrap.open_workstation with a cheap argon2id cost, prints "ready",
then registers patients RUN-0, RUN-1, ... through Patients.register, printing
"committed ID" after each one has committed. With --hold N POINT the writer stops at POINT
of its N-th registration (1 = the first) and sleeps, so the parent can kill it exactly
there, whatever the machine's speed: it prints "open ID" when it stops inside the
registration's transaction (before its outbox row, its chart index row, its audit row or
its COMMIT: POINTS) and "unreported ID" when it stops after the COMMIT, before saying so.
Needs the private keyring's D-Bus variables in its environment.
"""

import argparse
import sys
import time
from pathlib import Path

from keyring.backends import SecretService
from sqlalchemy import event

from app.bootstrap import Environment, open_workstation
from app.security.policy import Policy
from app.store.kdf_cost import KdfCost

CHEAP_POLICY = Policy(
    failed_logins_before_lock=3, lockout_minutes=15, idle_lock_minutes=5,
    min_password_length=8, kdf=KdfCost(time_cost=1, memory_kib=8192, parallelism=1),
)


# Where a registration can be held, inside its one transaction: before the statement that
# starts with each text (the record itself is written first), or before its COMMIT.
POINTS = {"before-outbox": "INSERT INTO local_change",
          "before-chart-index": "INSERT INTO patient_compartment",
          "before-audit": "INSERT INTO audit", "before-commit": "COMMIT"}
AFTER_COMMIT = "after-commit"


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("store", type=Path)
    args.add_argument("user")
    args.add_argument("password")
    args.add_argument("run")
    args.add_argument("--hold", nargs=2, metavar=("N", "POINT"), default=None)
    opts = args.parse_args()

    backend = SecretService.Keyring()
    env = Environment(keyring_backend=lambda: backend, policy=CHEAP_POLICY)
    ws = open_workstation(env, opts.store, opts.user, opts.password)
    print("ready", flush=True)

    hold_at, point = (int(opts.hold[0]), opts.hold[1]) if opts.hold else (0, None)
    if point not in (None, AFTER_COMMIT, *POINTS):
        sys.exit(f"--hold: no point {point!r}; one of {', '.join([*POINTS, AFTER_COMMIT])}")
    current = {"id": None, "n": 0}

    def hold_if_here(starts: str) -> None:
        if current["n"] + 1 == hold_at and point in POINTS and starts.startswith(POINTS[point]):
            report("open", current["id"])
            time.sleep(60)

    @event.listens_for(ws.store.db.engine, "before_cursor_execute")
    def _before_statement(_conn, _cursor, statement, *_args):
        hold_if_here(statement.lstrip())

    @event.listens_for(ws.store.db.engine, "commit")
    def _before_commit(conn):  # runs before SQLAlchemy sends COMMIT
        if conn.get_execution_options().get("hearth_begin") == "IMMEDIATE":  # a write's
            hold_if_here("COMMIT")

    while True:
        current["id"] = f"{opts.run}-{current['n']}"
        ws.patients.register(ws.session, {
            "resourceType": "Patient", "id": current["id"],
            "name": [{"family": f"Crashtest{current['n']}", "given": ["Kim"]}],
            "birthDate": "1970-01-01",
        })
        if current["n"] + 1 == hold_at and point == AFTER_COMMIT:
            report("unreported", current["id"])
            time.sleep(60)
        report("committed", current["id"])
        current["n"] += 1


def report(what: str, patient_id: str) -> None:
    """One write per line: print() writes its parts one by one when Python runs unbuffered
    (PYTHONUNBUFFERED), and a kill between them would leave half a line."""
    sys.stdout.write(f"{what} {patient_id}\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())

