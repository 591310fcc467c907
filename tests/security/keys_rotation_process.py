"""An admin locking a user, for the key-rotation crash tests: killed at each step.

    python keys_rotation_process.py STORE NAME [--hold-at STEP]

Signs in as the admin (tests.conftest.ADMIN_PASSWORD) and locks NAME, which rotates the
data key. It prints a line at each step of the rotation and waits a minute after STEP,
so the parent can kill it right there: "keys saved 1" (new generation beside the old one),
"rekey starting" (the lock has committed), "rekeyed" (before the key file keeps only the
new generation), "keys saved 2", then "done". Needs the private keyring's D-Bus variables.
"""

import argparse
import sys
import time
from pathlib import Path

from keyring.backends import SecretService

from app.bootstrap import Environment, open_workstation
from app.store.keyfile import KeyFile
from app.store.store import Store
from tests.conftest import ADMIN_PASSWORD
from tests.store.writer_process import CHEAP_POLICY


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("store", type=Path)
    args.add_argument("name")
    args.add_argument("--hold-at", default=None)
    opts = args.parse_args()
    backend = SecretService.Keyring()
    env = Environment(keyring_backend=lambda: backend, policy=CHEAP_POLICY)
    ws = open_workstation(env, opts.store, "admin", ADMIN_PASSWORD)
    saves, save, rekey = [0], KeyFile.save, Store.rekey

    def saving(keyfile: KeyFile) -> None:
        save(keyfile)
        saves[0] += 1
        step(f"keys saved {saves[0]}", opts.hold_at)

    def rekeying(store: Store, key: bytes) -> None:
        step("rekey starting", opts.hold_at)
        rekey(store, key)
        step("rekeyed", opts.hold_at)

    KeyFile.save, Store.rekey = saving, rekeying
    ws.users.lock(ws.session, opts.name)
    step("done", None)


def step(what: str, hold_at: str | None) -> None:
    sys.stdout.write(what + "\n")
    sys.stdout.flush()
    if what == hold_at:
        time.sleep(60)


if __name__ == "__main__":
    sys.exit(main())
