"""A private D-Bus session with an unlocked GNOME Keyring, for campaigns run from a shell.

Under pytest the `keyring_session` fixture of tests/conftest.py provides this; a long run
started as `python -m tests.faults.…` has no fixtures, so it starts the same two daemons
itself, with their own HOME, and never touches the developer's own keyring.
"""

import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

from jeepney import DBusAddress, new_method_call
from jeepney.io.blocking import open_dbus_connection

KEYS = ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME")


@contextmanager
def private_keyring() -> Iterator[dict[str, str]]:
    """The environment of a running private bus and keyring; this process's own environment
    points at them too while the block runs (the keyring library reads it)."""
    with tempfile.TemporaryDirectory(prefix="hearth-keyring-") as home:
        runtime = os.path.join(home, "run")
        os.mkdir(runtime, 0o700)
        env = {**os.environ, "HOME": home, "XDG_RUNTIME_DIR": runtime,
               "XDG_DATA_HOME": os.path.join(home, "data"),
               "XDG_CONFIG_HOME": os.path.join(home, "config")}
        bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        env["DBUS_SESSION_BUS_ADDRESS"] = bus.stdout.readline().decode().strip()
        daemon = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=env)
        daemon.stdin.write(b"keyring password for campaigns")
        daemon.stdin.close()
        saved = {key: os.environ.get(key) for key in KEYS}
        os.environ.update({key: env[key] for key in KEYS})
        try:
            wait_for_secret_service()
            yield env
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            for process in (daemon, bus):
                process.terminate()
                process.wait(5)


def wait_for_secret_service() -> None:
    """Wait until the daemon owns its bus name (asking earlier would start a locked one)."""
    has_owner = new_method_call(
        DBusAddress("/org/freedesktop/DBus", bus_name="org.freedesktop.DBus",
                    interface="org.freedesktop.DBus"),
        "NameHasOwner", "s", ("org.freedesktop.secrets",))
    deadline = time.monotonic() + 10
    with open_dbus_connection(bus="SESSION") as bus:
        while not bus.send_and_get_reply(has_owner).body[0]:
            if time.monotonic() > deadline:
                raise RuntimeError("GNOME Keyring did not start on the private D-Bus bus")
            time.sleep(0.05)
