"""Benchmark: the Calendar's clinic day (every provider a column) read and painted, against
the same run's provider week, switched to in the same window.

    python -m tests.perf.bench_clinic_day [--providers 20] [--per-day 40] [--runs 20]

Prints JSON. The store of tests/perf/bench_week_view.py (`fill`): `--providers` clinicians,
each with `--per-day` appointments every day of this week, so today's clinic day holds
providers x per-day blocks and one provider's week 7 x per-day. Each run, in one Calendar
window on Qt's offscreen platform, times a switch (as Alt+2 and Alt+1 do) from the moment it
is asked until the background read has answered and the grid is grabbed (a full paint):
first to the clinic day, then back to the provider week, the baseline. p50/p95 of `--runs`.
"""

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import orjson

from app.clinical.visits.clinic_day import ClinicDays
from tests.perf.bench_store import ms, open_store
from tests.perf.bench_week_view import TIMEOUT_S, fill, station


def switched(app, background, view, mode: str, ready) -> float:
    """Seconds from asking for `mode` to its full paint, once its read has answered."""
    start = time.perf_counter()
    view.show_view(mode)
    while not (ready() and not background.busy):
        app.processEvents()
        if time.perf_counter() - start > TIMEOUT_S:
            raise TimeoutError(f"the {mode} never finished loading")
    view.grab()
    return time.perf_counter() - start


def run(args) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.ui.calendar.view import DAY, WEEK, CalendarView
    from app.ui.common.background import Background

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "clinic-day", encrypted=True)
        try:
            count = fill(store, args.providers, args.per_day)
            ws, background = station(store), Background()
            ws.clinic_days = ClinicDays(store, ws.booking)
            view = CalendarView(ws, background)
            view.resize(1400, 900)
            view.show()
            while view.grid.week is None or background.busy:
                app.processEvents()
            day, week = [], []
            for _ in range(args.runs):
                day.append(switched(app, background, view, DAY,
                                    lambda: view.grid.week is None))
                week.append(switched(app, background, view, WEEK,
                                     lambda: view.grid.week is not None))
            view.show_view(DAY)
            while view.grid.week is not None or background.busy:
                app.processEvents()
            shown, columns = len(view.grid.blocks), len(view.grid.columns)
            view.close()
            background.wait_until_idle()
        finally:
            store.close()
    day_ms, week_ms = ms(day), ms(week)
    return {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "platform": app.platformName(), "appointments": count, "day": str(date.today()),
            "clinic_day_columns": columns, "clinic_day_appointments_shown": shown,
            "runs": args.runs, "clinic_day_ms": day_ms, "baseline_provider_week_ms": week_ms,
            "ratios": {"clinic_day_p95_over_week_p95": round(
                day_ms["p95"] / week_ms["p95"], 2)}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--providers", type=int, default=20)
    parser.add_argument("--per-day", type=int, default=40)
    parser.add_argument("--runs", type=int, default=20)
    print(orjson.dumps(run(parser.parse_args(argv)), option=orjson.OPT_INDENT_2).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
