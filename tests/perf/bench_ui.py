"""Benchmark: the workstation window's start-up and a heavy chart's first paint, with baselines.

Run inside a keyring session (see README):  python -m tests.perf.bench_ui --heavy 10000 --runs 20

Prints JSON. A store is built here (the Synthea bundles, synthetic patients and one heavy
patient of --heavy records, tests/perf/synthetic.py; the shipped policy), then every Qt
measurement runs in a process of its own on the real WorkstationWindow, on Qt's offscreen
platform (xcb when a DISPLAY is set). Baselines measured in the same run, because the
machines here are noisy:
- start-up, from launching the process to the sign-in window painted (the way `hearth`
  starts), against the same for a bare QApplication showing one QLabel (the Qt floor);
- chart paint, from Enter in the Patients search to the chart painted, signed in as a
  physician, against the store call the chart makes (Chart.summary) timed alone in the
  same process; and, as the wall clock of a loaded machine swings by half between runs, the
  CPU time of the UI thread over the same span against the CPU time of that call (what the
  window's own work costs, whatever else the machine is doing).
Data: ../shared/data/synthea if present, else the bundles in tests/data/synthea.
"""

import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson
from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from app.bootstrap import Environment, init_store, open_workstation
from app.ui.common import theme
from app.ui.common.table_models import row_at
from app.ui.shell.window import WorkstationWindow
from app.ui.shell.workspace import Workspace
from tests.perf.synthetic import write_dataset

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SHARED = HERE.parents[2] / "shared" / "data" / "synthea"
BUNDLED = HERE.parent / "data" / "synthea"
USER, PASSWORD = "bench-doctor", "bench password 1"
HEAVY_ID, HEAVY_NAME = "heavy-patient", "Heavyweather"  # as tests/perf/synthetic.py writes it
QUIET_MS = 250  # no paint for this long after the last pass: the chart is fully painted
TIMEOUT_S = 120.0

# Run with `python -c` so that the floor pays for nothing but Python and Qt: importing this
# module would load the store and the window's code into the QLabel process too. The probe
# watches for the first paint of any window from the moment the QApplication is made: by
# the floor here; by `hearth` (app.cli.commands) in run_workstation, after its display check
# (app.ui.shell.display, which is skipped where a QApplication exists already, so the
# window's must not be made here), through a subclass put in PySide6.QtWidgets' place.
START_UP = """
import sys
import time

up = time.time()
import PySide6.QtWidgets
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel

kind, launched = sys.argv[1], float(sys.argv[2])


def painted():
    # every widget of the window is painted in the pass that sent the first paint event
    print(up - launched, time.time() - launched, flush=True)
    QApplication.instance().quit()


class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and watched.isWidgetType() and watched.isWindow():
            QApplication.instance().removeEventFilter(self)
            QTimer.singleShot(0, painted)
        return False


probe = FirstPaint()


class Watched(QApplication):
    def __init__(self, argv):
        super().__init__(argv)
        self.installEventFilter(probe)


if kind == "window":
    PySide6.QtWidgets.QApplication = Watched
    from app.cli.commands import main

    sys.exit(main(["--store", sys.argv[3]]))
app = Watched(sys.argv[:1])
label = QLabel("Hearth")
label.show()
sys.exit(app.exec())
"""


def ms(samples: list[float]) -> dict:
    """p50 and nearest-rank p95 (with 20 runs, the second slowest) in milliseconds."""
    ordered = sorted(samples)
    return {"p50": round(statistics.median(ordered) * 1000, 2),
            "p95": round(ordered[math.ceil(len(ordered) * 0.95) - 1] * 1000, 2)}


def child(args: list[str], platform: str) -> str:
    done = subprocess.run(args, cwd=ROOT, env={**os.environ, "QT_QPA_PLATFORM": platform},
                          capture_output=True, timeout=TIMEOUT_S)
    if done.returncode:
        raise RuntimeError(f"the benchmark process failed:\n{done.stderr.decode()[-3000:]}")
    return done.stdout.decode()


def build_store(tmp: Path, args) -> tuple[Path, str]:
    """A store with an admin and one physician, the dataset imported; and its source."""
    synthea = SHARED if SHARED.is_dir() else BUNDLED
    data = write_dataset(tmp / "input", synthea, args.patients, args.full, args.heavy)
    root, env = tmp / "store", Environment()
    init_store(env, root, "admin", "Bench Admin", PASSWORD)
    admin = open_workstation(env, root, "admin", PASSWORD)
    admin.users.add(admin.session, USER, "Dr Bench", "physician", PASSWORD)
    report = admin.importer.run(
        admin.session, [*data["shared"], *data["full"], data["demographics"], data["heavy"]])
    admin.close()
    assert report.skipped == 0, report.errors[:3]
    return root, str(synthea)


def start_up(kind: str, root: Path, platform: str) -> tuple[float, float]:
    """(seconds until Python ran the first line, until the first window was painted)."""
    command = [sys.executable, "-c", START_UP, kind]
    up, painted = child([*command, str(time.time()), str(root)], platform).split()
    return float(up), float(painted)


# -- the chart process --------------------------------------------------------------------


def run_until(condition, what: str) -> None:
    """Run the event loop (not a busy loop: the database thread needs the GIL) until true."""
    loop = QEventLoop()
    poll = QTimer()
    poll.timeout.connect(lambda: condition() and loop.quit())
    poll.start(10)
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    deadline.start(int(TIMEOUT_S * 1000))
    loop.exec()
    poll.stop()
    deadline.stop()
    if not condition():
        raise TimeoutError(f"gave up waiting for {what}")


class ChartTimer(QObject):
    """Times opening a chart from the Patients search, up to the end of its last paint pass.

    The item views of the summary lay themselves out after their first paint and paint
    again (three passes in all here), so the chart counts as painted once QUIET_MS pass
    without a paint; the time taken is that of the end of the last pass.
    """

    def __init__(self, workspace: Workspace):
        super().__init__()
        self._workspace = workspace
        self._loop = QEventLoop()
        self._settled = QTimer()
        self._settled.setSingleShot(True)
        self._settled.setInterval(QUIET_MS)
        self._settled.timeout.connect(self._loop.quit)
        self._deadline = QTimer()
        self._deadline.setSingleShot(True)
        self._deadline.setInterval(int(TIMEOUT_S * 1000))
        self._deadline.timeout.connect(self._loop.quit)
        self._stamp_pending = False
        # connected after Workspace.open_chart, so the new chart is the current tab
        workspace.patients.open_chart.connect(self._opened)

    def press_enter(self) -> tuple[float, float, float]:
        """(seconds from Enter until the chart showed its summary, until it was painted;
        CPU seconds of the UI thread until then)."""
        self.shown = self.painted = self.failed = None
        start, cpu = time.perf_counter(), time.thread_time()
        self._deadline.start()
        QTest.keyClick(self._workspace.patients.field, Qt.Key.Key_Return)
        self._loop.exec()
        self._deadline.stop()
        if self.failed or self.painted is None:
            raise RuntimeError(f"the chart was not opened and painted: {self.failed}")
        return self.shown - start, self.painted - start, self.painted_cpu - cpu

    def _opened(self, patient_id: str) -> None:
        self._workspace.currentWidget().titled.connect(self._titled)

    def _titled(self, title: str) -> None:
        """The summary is in the widgets (titled is also how a failed read ends)."""
        chart = self._workspace.currentWidget()
        if chart.summary is None:
            self.failed = chart.message.text()
            self._loop.quit()
            return
        self.shown = time.perf_counter()
        for widget in (chart, *chart.findChildren(QWidget)):
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Paint and not self._stamp_pending:
            self._stamp_pending = True
            QTimer.singleShot(0, self._stamp)  # runs once the whole pass is painted
        return False

    def _stamp(self) -> None:
        self._stamp_pending = False
        self.painted, self.painted_cpu = time.perf_counter(), time.thread_time()
        self._settled.start()


def summary_call(window: WorkstationWindow) -> tuple[float, float, int]:
    """(seconds, CPU seconds, records) of Chart.summary alone on the window's database
    thread, where
    the chart's own read runs: the same call under the same conditions, less the widgets.

    Under the same conditions means with a new connection: Python forgets a Qt pool
    thread's thread-locals between jobs, so the store's per-thread connection pool opens one
    (cold page cache) for every job. warm_summary_calls shows what that costs.
    """
    ws, answer = window.ws, []

    def call() -> tuple[float, float, int]:
        start, cpu = time.perf_counter(), time.thread_time()
        summary = ws.chart.summary(ws.session, HEAVY_ID)
        return (time.perf_counter() - start, time.thread_time() - cpu,
                sum(summary.counts.values()))

    window.background.run(call, answer.append, answer.append)
    run_until(lambda: answer, "the summary call")
    if isinstance(answer[0], Exception):
        raise answer[0]
    return answer[0]


def warm_summary_calls(window: WorkstationWindow, runs: int) -> list[float]:
    """Chart.summary `runs` times on one connection kept open (the UI thread's), after a
    first call that opens it: the store call as bench_store times it. Done after the chart
    runs, because each call is audited, a write that empties other connections' caches."""
    ws, samples = window.ws, []
    for _ in range(runs + 1):
        start = time.perf_counter()
        ws.chart.summary(ws.session, HEAVY_ID)
        samples.append(time.perf_counter() - start)
    return samples[1:]


def chart_runs(root: Path, runs: int) -> dict:
    """Sign in through the window, then `runs` times: search, time Enter, close the tab."""
    app = QApplication(sys.argv[:1])
    theme.apply(app)
    window = WorkstationWindow(Environment(), root)
    window.show()
    window.login.user.setText(USER)
    window.login.password.setText(PASSWORD)
    window.login.sign_in.click()
    run_until(lambda: window.workspace is not None or window.login.isEnabled(), "sign-in")
    if window.workspace is None:
        raise RuntimeError(f"sign-in refused: {window.login.message.text()}")
    workspace = window.workspace
    timer = ChartTimer(workspace)
    field = workspace.patients.field
    shown, painted, summary, ui_cpu, summary_cpu = [], [], [], [], []
    for _ in range(runs):
        workspace.focus_search()
        field.clear()
        QTest.keyClicks(field, HEAVY_NAME)
        run_until(lambda: getattr(row_at(workspace.patients.table), "patient_id", None)
                  == HEAVY_ID and not window.background.busy, "the search result")
        seconds, cpu, records = summary_call(window)
        summary.append(seconds)
        summary_cpu.append(cpu)
        until_shown, until_painted, cpu = timer.press_enter()
        shown.append(until_shown)
        painted.append(until_painted)
        ui_cpu.append(cpu)
        workspace.close_current_chart()
    warm = warm_summary_calls(window, runs)
    window.close()
    return {"records": records, "shown": shown, "painted": painted, "summary": summary,
            "summary_warm": warm, "ui_cpu": ui_cpu, "summary_cpu": summary_cpu}


def chart_in_own_process(root: Path, runs: int, platform: str) -> dict:
    return orjson.loads(child([sys.executable, "-m", "tests.perf.bench_ui", "--chart-runs",
                               str(root), "--runs", str(runs)], platform))


# -- the whole run ------------------------------------------------------------------------


def run(args) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        made = time.perf_counter()
        root, source = build_store(Path(tmp), args)
        built = time.perf_counter() - made
        starts = {"label": [], "window": []}
        for _ in range(args.runs):  # alternated, so both see the same noise
            for kind, samples in starts.items():
                samples.append(start_up(kind, root, args.platform))
        chart = chart_in_own_process(root, args.runs, args.platform)
    window, floor = ([painted for _, painted in starts[k]] for k in ("window", "label"))
    result = {
        "scale": {"runs": args.runs, "patients": args.patients, "full_patients": args.full,
                  "heavy_patient_records": chart["records"], "platform": args.platform,
                  "source": source, "store_build_s": round(built, 1)},
        "start_up_ms": {
            "window": ms(window), "qt_floor": ms(floor),
            "python_up_p50": round(statistics.median(up for up, _ in starts["window"]) * 1000,
                                   1)},
        "chart_ms": {"enter_to_painted": ms(chart["painted"]),
                     "enter_to_shown": ms(chart["shown"]),
                     "first_open": round(chart["painted"][0] * 1000, 2),
                     "summary_call": ms(chart["summary"]),
                     "summary_call_warm_connection": ms(chart["summary_warm"]),
                     "enter_to_painted_ui_thread_cpu": ms(chart["ui_cpu"]),
                     "summary_call_cpu": ms(chart["summary_cpu"])},
    }
    starting, charting = result["start_up_ms"], result["chart_ms"]
    result["ratios"] = {
        "start_up_over_qt_floor": round(starting["window"]["p50"]
                                        / starting["qt_floor"]["p50"], 2),
        "chart_paint_over_summary_call_p50": round(charting["enter_to_painted"]["p50"]
                                                   / charting["summary_call"]["p50"], 2),
        "chart_paint_over_summary_call_p95": round(charting["enter_to_painted"]["p95"]
                                                   / charting["summary_call"]["p95"], 2),
        "summary_call_over_warm_connection_p50": round(
            charting["summary_call"]["p50"] / charting["summary_call_warm_connection"]["p50"],
            2),
        "chart_ui_cpu_over_summary_call_cpu_p50": round(
            charting["enter_to_painted_ui_thread_cpu"]["p50"]
            / charting["summary_call_cpu"]["p50"], 2),
    }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--full", type=int, default=10, help="patients with full histories")
    parser.add_argument("--heavy", type=int, default=10_000, help="records of the heavy patient")
    parser.add_argument("--runs", type=int, default=20, help="start-ups of each kind; charts")
    parser.add_argument("--platform", default="xcb" if os.environ.get("DISPLAY") else "offscreen",
                        help="Qt platform plugin (default: xcb with a DISPLAY, else offscreen)")
    parser.add_argument("--chart-runs", type=Path, metavar="STORE",
                        help="(internal) time chart openings in this process and print them")
    args = parser.parse_args(argv)
    result = chart_runs(args.chart_runs, args.runs) if args.chart_runs else run(args)
    print(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
