"""Fixtures shared by all tests: a real, private Secret Service keyring and fresh stores.

The keyring is GNOME Keyring on a private D-Bus session bus with its own HOME, so tests use
a real OS keyring backend (as the product does) and never touch the developer's own.
"""

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import orjson
import pytest
from keyring.backends import SecretService

from app.bootstrap import Environment, Workstation, init_store, open_workstation
from app.clinical.imports.importer import ImportReport
from app.security.policy import Policy
from app.store.kdf_bounds import FLOOR as KDF_FLOOR
from app.store.kdf_cost import KdfCost
from tests.faults.keyring_bus import wait_for_secret_service

ADMIN_PASSWORD = "correct horse battery"
SYNTHEA = Path(__file__).resolve().parent / "data" / "synthea"
# Tests use a cheap argon2id cost; the shipped policy's cost is measured, not tested for speed.
TEST_POLICY = Policy(
    failed_logins_before_lock=3, lockout_minutes=15, idle_lock_minutes=5,
    min_password_length=8, kdf=KdfCost(time_cost=1, memory_kib=8192, parallelism=1),
)


@pytest.fixture(scope="session")
def keyring_session(tmp_path_factory):
    """Environment variables of a running private bus with an unlocked GNOME Keyring."""
    missing = [t for t in ("dbus-daemon", "gnome-keyring-daemon") if shutil.which(t) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} not installed: run the README's test command, "
                    "which installs gnome-keyring and dbus")
    home = tmp_path_factory.mktemp("keyring-home")
    runtime = home / "run"
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "HOME": str(home), "XDG_RUNTIME_DIR": str(runtime),
           "XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config")}
    bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    env["DBUS_SESSION_BUS_ADDRESS"] = bus.stdout.readline().decode().strip()
    daemon = subprocess.Popen(
        ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    daemon.stdin.write(b"keyring password for tests")
    daemon.stdin.close()
    with pytest.MonkeyPatch.context() as mp:
        for name in ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME"):
            mp.setenv(name, env[name])
        wait_for_secret_service()
        yield env
    daemon.terminate()
    bus.terminate()
    daemon.wait(5)
    bus.wait(5)


@pytest.fixture(autouse=True)
def no_sync_thread_left():
    """Fails a test that ends with a sync worker's thread still running: it would go on
    talking to a server and a store that the next test no longer has (stop() it)."""
    before = set(threading.enumerate())
    yield
    left = [t for t in threading.enumerate() if t.name == "hearth-sync" and t not in before]
    if left:
        pytest.fail(f"the test left {len(left)} sync thread(s) running: stop its SyncWorker "
                    f"(or close the window that started it) before the test ends")


def password_of(user: str) -> str:
    """The password every test user but the admin is given."""
    return f"{user} pass 1"


def new_store(root: Path, users: dict[str, tuple[str, str]],
              sources: Sequence[Path] = ()) -> tuple[Environment, ImportReport | None]:
    """A store at `root` for a module's tests: its admin adds `users` (name: (full name,
    role), each with password_of(name)) and imports `sources`, then signs out. Needs the
    private keyring (the keyring_session fixture). Returns the environment to sign in
    with and the import's report (None when nothing was imported)."""
    env = Environment(keyring_backend=SecretService.Keyring, policy=TEST_POLICY)
    init_store(env, root, "admin", "Ada Admin", ADMIN_PASSWORD)
    admin = open_workstation(env, root, "admin", ADMIN_PASSWORD)
    for user, (full_name, role) in users.items():
        admin.users.add(admin.session, user, full_name, role, password_of(user))
    report = admin.importer.run(admin.session, list(sources)) if sources else None
    admin.close()
    return env, report


def signed_in_users(root: Path, users: dict[str, tuple[str, str]]
                    ) -> Iterator[dict[str, Workstation]]:
    """For a module-scoped fixture to `yield from`: a store with the Synthea patients (as
    new_store makes it) and a workstation per user, signed in; all closed afterwards."""
    env, _ = new_store(root, users, [SYNTHEA])
    stations = {user: open_workstation(env, root, user, password_of(user)) for user in users}
    yield stations
    for station in stations.values():
        station.store.close()


def sign_in(admin: Workstation, env: Environment, store_dir: Path, name: str,
            role: str) -> Workstation:
    """A new user of the `admin` fixture's store (full name: the name capitalised),
    signed in."""
    admin.users.add(admin.session, name, name.title(), role, password_of(name))
    return open_workstation(env, store_dir, name, password_of(name))


@pytest.fixture
def env(keyring_session) -> Environment:
    backend = SecretService.Keyring()
    return Environment(keyring_backend=lambda: backend, policy=TEST_POLICY)


@pytest.fixture
def store_dir(tmp_path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def admin(env, store_dir):
    """A new store with its first admin, signed in."""
    init_store(env, store_dir, "admin", "Ada Admin", ADMIN_PASSWORD)
    ws = open_workstation(env, store_dir, "admin", ADMIN_PASSWORD)
    yield ws
    ws.store.close()


@pytest.fixture
def policy_file(tmp_path) -> Path:
    """The test policy as IT's system policy file for the CLI (HEARTH_SYSTEM_POLICY). A file
    must meet the security floors, so its KDF is the floor's, not TEST_POLICY's cheaper one."""
    path = tmp_path / "policy.json"
    fields = {k: v for k, v in TEST_POLICY.__dict__.items() if k != "kdf"}
    path.write_bytes(orjson.dumps({**fields, "kdf": KDF_FLOOR.__dict__}))
    return path


@pytest.fixture
def auckland(monkeypatch):
    """The wall clock in Auckland (UTC+13 in summer): a UTC instant is often another day
    there, and a local day starts and ends on different UTC days."""
    monkeypatch.setenv("TZ", "Pacific/Auckland")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
