"""A Hearth writer for the crash tests: registers patients until it is killed.

    python writer_process.py STORE USER PASSWORD RUN [--hold-at-commit K]

Signs in through app.bootstrap.open_workstation with a cheap argon2id cost, prints "ready",
then registers patients RUN-0, RUN-1, ... through Patients.register, printing
"committed ID" after each one has committed. With --hold-at-commit K, the writer stops just
before the K-th database COMMIT after signing in (everything that transaction wrote is in
the open transaction), prints "open ID" for the patient being registered and sleeps, so
the parent can kill it there. Today one registration is one transaction, so K = N + 1
holds the (N+1)th registration; were a registration ever split into several
transactions, some K would hold it half-way.
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


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("store", type=Path)
    args.add_argument("user")
    args.add_argument("password")
    args.add_argument("run")
    args.add_argument("--hold-at-commit", type=int, default=None)
    opts = args.parse_args()

    backend = SecretService.Keyring()
    env = Environment(keyring_backend=lambda: backend, policy=CHEAP_POLICY)
    ws = open_workstation(env, opts.store, opts.user, opts.password)
    print("ready", flush=True)

    current = {"id": None, "n": 0, "commits": 0}
    if opts.hold_at_commit is not None:
        @event.listens_for(ws.store.db.engine, "commit")
        def _hold_before_commit(_conn):  # runs before SQLAlchemy sends COMMIT
            current["commits"] += 1
            if current["commits"] == opts.hold_at_commit:
                report("open", current["id"])
                time.sleep(60)

    while True:
        current["id"] = f"{opts.run}-{current['n']}"
        ws.patients.register(ws.session, {
            "resourceType": "Patient", "id": current["id"],
            "name": [{"family": f"Crashtest{current['n']}", "given": ["Kim"]}],
            "birthDate": "1970-01-01",
        })
        report("committed", current["id"])
        current["n"] += 1


def report(what: str, patient_id: str) -> None:
    """One write per line: print() writes its parts one by one when Python runs unbuffered
    (PYTHONUNBUFFERED), and a kill between them would leave half a line."""
    sys.stdout.write(f"{what} {patient_id}\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())

