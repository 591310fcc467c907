"""Benchmark: the results inbox opening (the first page read) with 5,000 open items, beside
a chart summary read in the same run (issue 15: p95 <= 200 ms).

    python -m tests.perf.bench_inbox [--items 5000] [--queries 50]

Prints JSON. One encrypted store with `--items` review Tasks owned by the benchmark's
physician, spread over one patient in five, each focused on a DiagnosticReport of three
Observations (one in four above its range), as imports file them
(app.clinical.results.arrivals); plus 500 completed items, which the inbox leaves out. Timed
(p50/p95 of `--queries` runs): `Inbox.open_items` (the first page, 50 items with patient,
result and flag, audited per patient); as the baseline, the chart summary of one patient.
"""

import argparse
import random
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from app.clinical.chart.chart import Chart
from app.clinical.results.arrivals import TASK_CODE
from app.clinical.results.inbox import PAGE, Inbox
from app.store import audit_log as audit
from app.store.resources import put_resources
from tests.perf.bench_slots import timed
from tests.perf.bench_store import CLINICIAN, open_store

OWNER = {"type": "Practitioner", "display": CLINICIAN.full_name,
         "identifier": {"system": "urn:hearth:user", "value": CLINICIAN.user}}
START = datetime(2026, 1, 5, 8, tzinfo=UTC)


def item(n: int, rng: random.Random, status: str = "requested") -> list[dict]:
    patient = f"patient-{n // 5}"
    subject = {"reference": f"Patient/{patient}"}
    made = [{"resourceType": "Patient", "id": patient, "name": [{"family": f"F{n // 5}",
                                                                 "given": ["Pat"]}]}]
    for k in range(3):
        made.append({"resourceType": "Observation", "id": f"o-{n}-{k}", "status": "final",
                     "code": {"text": f"Analyte {k}"}, "subject": subject,
                     "valueQuantity": {"value": rng.uniform(3.0, 6.5)},
                     "referenceRange": [{"low": {"value": 3.5}, "high": {"value": 5.8}}]})
    at = (START + timedelta(minutes=n)).isoformat()
    made.append({"resourceType": "DiagnosticReport", "id": f"r-{n}", "status": "final",
                 "code": {"text": "Basic metabolic panel"}, "subject": subject, "issued": at,
                 "result": [{"reference": f"Observation/o-{n}-{k}"} for k in range(3)]})
    made.append({"resourceType": "Task", "id": f"t-{n}", "status": status, "intent": "order",
                 "priority": "routine", "code": TASK_CODE,
                 "description": "Basic metabolic panel",
                 "focus": {"reference": f"DiagnosticReport/r-{n}"},
                 "for": subject, "authoredOn": at, "owner": OWNER})
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=50)
    args = parser.parse_args(argv)
    rng = random.Random(15)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "store", encrypted=True)
        try:
            with store.write() as conn:
                for n in range(args.items + args.items // 10):
                    put_resources(conn, item(n, rng, "requested" if n < args.items
                                             else "completed"), "bench", audit.now_text())
            inbox = Inbox(store)
            opened, page = timed(lambda: inbox.open_items(CLINICIAN), args.queries)
            chart, _ = timed(lambda: Chart(store).summary(CLINICIAN, "patient-0"),
                             args.queries)
        finally:
            store.close()
    answer = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
              "scale": {"open_items": args.items, "completed_items": args.items // 10,
                        "queries": args.queries, "page": PAGE},
              "open_ms": opened, "shown": len(page),
              "flagged": sum(1 for i in page if i.flag),
              "baseline_chart_summary_ms": chart,
              "ratios": {"open_p95_over_chart_summary_p95":
                         round(opened["p95"] / chart["p95"], 2)},
              "target": {"open_p95_ms": 200, "met": opened["p95"] <= 200}}
    print(orjson.dumps(answer, option=orjson.OPT_INDENT_2).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
