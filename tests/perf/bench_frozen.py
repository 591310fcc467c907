"""Benchmark: the frozen app (packaging/build frozen): its build time, its size, and its
start-up beside the venv's `hearth` and the Qt floor, all in the same run.

Run inside a keyring session (see README):  python -m tests.perf.bench_frozen --runs 10

Prints JSON. Without --program, the app is built first with the real `packaging/build frozen`
into a scratch folder and the build is timed. Start-up is bench_ui's figure, from launching
the process to the sign-in window painted, on a store made here (one admin), on Qt's
offscreen platform. A frozen program cannot be handed bench_ui's `python -c` probe, so every
kind is timed from outside instead, the same way: the launch, and the line Qt's own painting
log (qt.widgets.painting) writes when it first flushes a painted window to the screen.
Kinds, interleaved run by run: the frozen `hearth --store STORE`; the venv's console script
`hearth --store STORE`; and the floor, a bare QApplication showing one QLabel in the venv's
Python. One unmeasured start of each comes first, so all of them start with warm disk caches.
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from app.bootstrap import Environment, init_store
from tests.perf.bench_ui import ms

ROOT = Path(__file__).resolve().parents[2]
VENV_HEARTH = Path(sys.executable).parent / "hearth"
FLOOR = ("from PySide6.QtWidgets import QApplication, QLabel; app = QApplication([]); "
         "label = QLabel('Hearth'); label.show(); app.exec()")
PAINTED = "to QWidgetWindow"  # "Flushing QRegion(...) of WorkstationWindow(...) to QWidgetWindow"
TIMEOUT_S = 120.0


def painted_after(command: list[str]) -> float:
    """Seconds from launching `command` to Qt's first flush of a painted window."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "QT_LOGGING_RULES": "qt.widgets.painting.debug=true"}
    launched = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                               start_new_session=True)
    try:
        for line in process.stderr:
            if PAINTED in line:
                return time.monotonic() - launched
            if time.monotonic() - launched > TIMEOUT_S:
                break
        raise RuntimeError(f"{command[0]} showed no window (exit {process.poll()})")
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def build(dist: Path) -> tuple[Path, float]:
    started = time.monotonic()
    subprocess.run([str(ROOT / "packaging/build"), "frozen", "--dist", str(dist)], check=True,
                   capture_output=True)
    return dist / "hearth" / "hearth", time.monotonic() - started


def size_mb(folder: Path) -> float:
    """Bytes on disk, as `du` counts them."""
    done = subprocess.run(["du", "-sk", str(folder)], capture_output=True, text=True, check=True)
    return round(int(done.stdout.split()[0]) / 1024, 1)


def run(args, scratch: Path) -> dict:
    program, build_s = (args.program, None) if args.program else build(scratch / "dist")
    store = scratch / "store"
    init_store(Environment(), store, "admin", "Bench Admin", "bench password 1")
    kinds = {"frozen": [str(program), "--store", str(store)],
             "venv_hearth": [str(VENV_HEARTH), "--store", str(store)],
             "qt_floor": [sys.executable, "-c", FLOOR]}
    samples: dict[str, list[float]] = {kind: [] for kind in kinds}
    for round_ in range(args.runs + 1):
        for kind, command in kinds.items():
            seconds = painted_after(command)
            if round_:  # the first round only warms the disk caches
                samples[kind].append(seconds)
    startup = {kind: ms(times) for kind, times in samples.items()}
    return {
        "build_seconds": round(build_s, 1) if build_s is not None else None,
        "size_mb": size_mb(program.parent),
        "files": sum(1 for path in program.parent.rglob("*")
                     if path.is_file() and not path.is_symlink()),
        "startup_to_sign_in_painted_ms": startup,
        "ratios": {"frozen_over_venv_p50": round(startup["frozen"]["p50"]
                                                 / startup["venv_hearth"]["p50"], 2),
                   "frozen_over_floor_p50": round(startup["frozen"]["p50"]
                                                  / startup["qt_floor"]["p50"], 2)},
        "runs": args.runs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--program", type=Path,
                        help="a frozen hearth already built (default: build one, timed)")
    parser.add_argument("--runs", type=int, default=10, help="start-ups of each kind")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        result = run(args, Path(scratch))
    print(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
