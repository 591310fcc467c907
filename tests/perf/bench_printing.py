"""Benchmark: a 60-page history printed as a PDF (issue 16: <= 3 s), beside reading the same
records without a PDF in the same run.

    python -m tests.perf.bench_printing [--problems 1300] [--runs 5]

Prints JSON. One encrypted store with a patient whose problem list holds `--problems`
Conditions, one in three active (1,300, each title wrapping onto a second line, fill 60 A4
pages). Timed (p50/p95 of `--runs`):
`Printouts.print` of the problem list (the audited read, the layout and the PDF written to
disk); as the baseline, the same records read through the chart (`Chart.section`, pages of
1,000, every entry described), which is what any screen would do to show them.
"""

import argparse
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import orjson

from app.clinical.chart.chart import Chart
from app.clinical.printing.printouts import Printouts, PrintRequest
from app.store import audit_log as audit
from app.store.resources import put_resources
from tests.perf.bench_slots import timed
from tests.perf.bench_store import CLINICIAN, open_store

PATIENT = "long-history"
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"


def history(problems: int) -> list[dict]:
    made = [{"resourceType": "Patient", "id": PATIENT, "birthDate": "1940-01-01",
             "name": [{"family": "Long", "given": ["Hal"]}],
             "identifier": [{"type": {"coding": [{"code": "MR"}]}, "value": "MRN-1"}]}]
    for n in range(problems):
        made.append({
            "resourceType": "Condition", "id": f"c-{n}",
            "subject": {"reference": f"Patient/{PATIENT}"},
            "clinicalStatus": {"coding": [{"system": CLINICAL,
                                           "code": "active" if n % 3 == 0 else "resolved"}]},
            "code": {"text": f"History entry {n}: a problem recorded over the years"},
            "onsetDateTime": (date(1960, 1, 1) + timedelta(days=7 * n)).isoformat()})
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=int, default=1300)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "store", encrypted=True)
        try:
            with store.write() as conn:
                put_resources(conn, history(args.problems), "bench", audit.now_text())
            request = PrintRequest(PATIENT, "problems", Path(tmp) / "problems.pdf", paper="a4")
            printing, printed = timed(lambda: Printouts(store).print(CLINICIAN, request),
                                      args.runs)
            chart = Chart(store)

            def read_all() -> int:
                pages = -(-args.problems // 1000)
                return sum(len(chart.section(CLINICIAN, PATIENT, "problems", page, 1000).items)
                           for page in range(1, pages + 1))

            reading, read = timed(read_all, args.runs)
        finally:
            store.close()
    answer = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
              "scale": {"problems": args.problems, "runs": args.runs, "paper": "a4"},
              "print_ms": printing, "pages": printed.pages, "entries": printed.entries,
              "baseline_read_ms": reading, "baseline_entries": read,
              "ratios": {"print_p95_over_read_p95": round(printing["p95"] / reading["p95"], 1)},
              "target": {"print_p95_ms": 3000, "met": printing["p95"] <= 3000}}
    print(orjson.dumps(answer, option=orjson.OPT_INDENT_2).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
