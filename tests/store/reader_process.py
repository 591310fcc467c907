"""A Hearth reader for the crash tests: audited reads, as fast as it can, until killed.

    python reader_process.py STORE USER PASSWORD PATIENT_ID

Signs in through app.bootstrap.open_workstation with a cheap argon2id cost, prints "ready",
then alternates a patient search (one audit row per search, as per keystroke in the
window) and a read of PATIENT_ID's record, printing "read N" once the N-th read has
returned: its audit row has committed. Needs the private keyring's D-Bus variables.
"""

import sys
from pathlib import Path

from keyring.backends import SecretService

from app.bootstrap import Environment, open_workstation
from tests.store.writer_process import CHEAP_POLICY


def main() -> None:
    store, user, password, patient_id = sys.argv[1:5]
    backend = SecretService.Keyring()
    env = Environment(keyring_backend=lambda: backend, policy=CHEAP_POLICY)
    ws = open_workstation(env, Path(store), user, password)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    reads = 0
    while True:
        if reads % 2:
            ws.patients.get(ws.session, patient_id)
        else:
            ws.search.search(ws.session, "Crash")
        reads += 1
        sys.stdout.write(f"read {reads}\n")  # one write: a kill never leaves half a line
        sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
