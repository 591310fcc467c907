"""The sign-in window is painted before the heavy parts are imported, and the plotting stack
arrives only with the first plot: the real window, in a process of its own (this test
process has imported everything already), signed in to the real clinic store."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import password_of

ROOT = Path(__file__).resolve().parents[3]
HEAVY = ("pyqtgraph", "numpy", "httpx", "jwt", "sync.engine", "sync.transport", "tuf",
         "reportlab", "sqlalchemy", "app.bootstrap", "app.ui.shell.workspace",
         "argon2", "cryptography")  # the key derivation and wrapping: from signing in

WINDOW = """
import json
import sys
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop
from PySide6.QtWidgets import QApplication

app = QApplication(sys.argv[:1])

from app.security.environment import Environment
from app.security.policy import Policy
from app.store.kdf_cost import KdfCost
from app.ui.shell.window import WorkstationWindow

root, user, password, patient_id, heavy = sys.argv[1:6]
loaded = {}


def wait_until(condition, what):
    deadline = time.monotonic() + 60
    while not condition():
        if time.monotonic() > deadline:
            sys.exit(f"gave up waiting for {what}")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)


def secret_service():
    from keyring.backends import SecretService  # on signing in, as hearth (loads cryptography)

    return SecretService.Keyring()


def note(moment):
    loaded[moment] = [name for name in heavy.split(",") if name in sys.modules]


policy = Policy(failed_logins_before_lock=3, lockout_minutes=15, idle_lock_minutes=5,
                min_password_length=8, kdf=KdfCost(time_cost=1, memory_kib=8192, parallelism=1))
window = WorkstationWindow(Environment(secret_service, policy), Path(root))
window.show()
wait_until(lambda: window.login.isVisible() and window.login.visibleRegion().isEmpty() is False,
           "the sign-in screen")
note("sign-in shown")
window.login.user.setText(user)
window.login.password.setText(password)
window.login.sign_in.click()
wait_until(lambda: window.workspace is not None or window.login.isEnabled(), "sign-in")
if window.workspace is None:
    sys.exit(window.login.message.text())
note("signed in")
chart = window.workspace.open_chart(patient_id)
wait_until(lambda: chart.summary is not None, "the chart")
note("chart open")
vitals = chart.show_section("vitals")
wait_until(lambda: vitals.plots, "a vital sign plot")
note("plot shown")
window.close()
print(json.dumps(loaded))
"""


def loaded_at_each_step(clinic) -> dict[str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", WINDOW, str(clinic.root), "drlee", password_of("drlee"),
         clinic.patient_ids["Johnston"], ",".join(HEAVY)],
        cwd=ROOT, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, capture_output=True,
        timeout=120)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return json.loads(done.stdout.decode().splitlines()[-1])


def test_the_sign_in_window_shows_before_the_services_and_plots_arrive_with_the_first_plot(
        clinic):
    loaded = loaded_at_each_step(clinic)
    assert loaded["sign-in shown"] == []
    assert "app.ui.shell.workspace" in loaded["signed in"]
    assert not {"pyqtgraph", "numpy"} & set(loaded["signed in"] + loaded["chart open"])
    assert {"pyqtgraph", "numpy"} <= set(loaded["plot shown"])
