"""The README's run command on a fresh machine: the installed `hearth` script, run as a new
user runs it, with nothing in its environment but PATH, HOME and LANG (no D-Bus session, so
no OS keyring; no DISPLAY). Each test checks what the person at the terminal sees and that
nothing is left running afterwards."""

import os
import queue
import re
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app.store.demo_secret import NOT_PROTECTED

HEARTH = Path(sys.executable).parent / "hearth"  # the console script `pip install` made
LAST_HINT = "demo-admin / demo-admin-pass"


@pytest.fixture
def fresh_env(tmp_path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    return {"PATH": os.environ["PATH"], "HOME": str(home), "LANG": "C.UTF-8"}


def nothing_left(group: int) -> bool:
    """Whether no process of the session the command was started in is still running."""
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return True
    return False


def start(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen([str(HEARTH), *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                            start_new_session=True)


def read_until(process: subprocess.Popen, line_wanted: str, seconds: float) -> str:
    """What the process printed up to and including the line holding `line_wanted`."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout],
                     daemon=True).start()
    seen, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            seen.append(lines.get(timeout=0.5))
        except queue.Empty:
            if process.poll() is not None and lines.empty():
                break
            continue
        if line_wanted in seen[-1]:
            return "".join(seen)
    pytest.fail(f"`hearth` never printed {line_wanted!r}; it printed:\n{''.join(seen)}")


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:  # it had ended already
        pass
    process.wait(10)
    deadline = time.monotonic() + 5
    while not nothing_left(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)


def test_with_no_display_the_demo_says_so_in_one_sentence_and_leaves_nothing(fresh_env):
    done = subprocess.run([str(HEARTH), "demo"], env=fresh_env, capture_output=True,
                          text=True, timeout=60, start_new_session=True)

    assert done.returncode == 8  # app.errors.NoDisplay: never Qt's abort (134)
    assert done.stderr.splitlines() == [
        "hearth: No display: There is no display to show the Hearth window on (neither "
        "DISPLAY nor WAYLAND_DISPLAY is set). Run it in a desktop session, over ssh -X, or "
        f"under a virtual display: xvfb-run -a {HEARTH} demo"]
    assert done.stdout == ""
    assert not (Path(fresh_env["HOME"]) / ".local").exists()  # nothing built for nothing


def test_with_no_display_the_workstation_on_a_real_store_says_so_too(fresh_env):
    store = Path(fresh_env["HOME"]) / ".local/share/Hearth/store"
    store.mkdir(parents=True)
    (store / "keys.json").write_text("{}")  # a store is there; it is never read

    done = subprocess.run([str(HEARTH)], env=fresh_env, capture_output=True, text=True,
                          timeout=60)

    assert done.returncode == 8
    assert done.stderr.splitlines()[0].endswith(f"virtual display: xvfb-run -a {HEARTH}")


def test_a_display_qt_cannot_open_is_a_sentence_too(fresh_env):
    done = subprocess.run([str(HEARTH), "demo"], env={**fresh_env, "DISPLAY": ":97"},
                          capture_output=True, text=True, timeout=60)

    assert done.returncode == 8
    # What Qt says in between depends on the X libraries installed (no server at :97, or
    # the xcb plugin's own missing libraries); Hearth's sentence around it does not.
    assert done.stderr.startswith("hearth: No display: Qt could not open the display "
                                  "(DISPLAY=:97): ")
    assert done.stderr.rstrip().endswith("under a virtual display: xvfb-run -a "
                                         f"{HEARTH} demo")
    assert "Traceback" not in done.stderr


def test_without_a_keyring_the_demo_opens_unprotected_and_opens_again_later(fresh_env,
                                                                            policy_file):
    env = {**fresh_env, "QT_QPA_PLATFORM": "offscreen",  # stands in for a desktop
           "HEARTH_SYSTEM_POLICY": str(policy_file)}
    first = start(env, "demo")
    try:
        printed = read_until(first, LAST_HINT, seconds=240)
        time.sleep(3)
        assert first.poll() is None, "the window closed by itself"
    finally:
        stop(first)
    assert nothing_left(first.pid)
    assert "(the first time takes a minute)" in printed
    assert f"{NOT_PROTECTED}: no OS keyring here" in printed
    demo = Path(fresh_env["HOME"]) / ".local/share/Hearth/demo"
    secret = demo.with_name("demo.device-secret")
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600

    again = start(env, "demo")
    try:
        printed = read_until(again, LAST_HINT, seconds=60)
    finally:
        stop(again)
    assert printed.splitlines()[0] == f"Opening the demo clinic at {demo}…"
    assert "takes a minute" not in printed


def test_a_real_store_still_refuses_without_a_keyring_and_its_recipe_works_as_printed(
        fresh_env, policy_file):
    env = {**fresh_env, "HEARTH_SYSTEM_POLICY": str(policy_file),
           "HEARTH_PASSWORD": "admin password 1"}
    refused = subprocess.run([str(HEARTH), "init", "--admin", "ada"], env=env,
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 5
    assert refused.stderr.startswith("hearth: No OS keyring: No usable OS keyring")
    recipe = re.search(r"the same each time\): (dbus-run-session .*)$", refused.stderr).group(1)
    assert recipe.endswith(f"{HEARTH} init --admin ada'")

    followed = subprocess.run(["bash", "-c", recipe], input="keyring password\n", env=env,
                              capture_output=True, text=True, timeout=120)

    assert followed.returncode == 0, followed.stderr
    assert "Created the store" in followed.stdout
    deadline = time.monotonic() + 5  # the daemon ends when its bus does
    while running_with_home(fresh_env["HOME"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not running_with_home(fresh_env["HOME"]), "the keyring daemon was left running"

    list_users = recipe.replace("init --admin ada", "--user ada user list")
    mistyped = subprocess.run(["bash", "-c", list_users], input="wrong password\n", env=env,
                              capture_output=True, text=True, timeout=120)
    assert mistyped.returncode == 5
    assert "hearth: No OS keyring: The OS keyring is locked and could not be unlocked here " \
           "(Failed to unlock the collection!): was the keyring password wrong?" \
           in mistyped.stderr


def running_with_home(home: str) -> list[int]:
    """Processes of this user whose environment holds HOME=home: the recipe's, if any."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if f"HOME={home}".encode() in environ.split(b"\0"):
            found.append(int(entry.name))
    return found
