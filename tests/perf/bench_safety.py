"""Benchmark: one medication safety check against 25 active drugs and 10 allergies, beside a
chart summary read of the same patient in the same run (issue 15: p95 <= 5 ms).

    python -m tests.perf.bench_safety [--queries 200] [--others 300]

Prints JSON. One encrypted store holding the patient (25 active MedicationRequests, coded
with products of the shipped drug catalogue, and 10 AllergyIntolerances: 8 coded, 2 typed as
text) and `--others` patients with a few records each. Timed (p50/p95 of `--queries` runs):
the check of warfarin with the shipped pack, each an audited read; and as the baseline,
the chart summary of the same patient (app.clinical.chart.chart). The two alternate, one of
each per round, so a busy machine slows both alike and the ratio stays fair. `check_work_ms`
is the check's own work (lists read and compared, in a plain read transaction) without the
audit row and its commit (synchronous=FULL), which dominate it on a loaded disk.
"""

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import orjson

from app.clinical.chart.chart import Chart
from app.clinical.charting.medications import RXNORM
from app.clinical.drugs.catalogue import load_catalogue
from app.clinical.safety.check import SafetyChecks
from app.security.policy import SafetyPolicy
from app.store import audit_log as audit
from app.store.resources import put_resources
from tests.perf.bench_store import CLINICIAN, ms, open_store

WARFARIN_5MG = "855332"
ALLERGENS = ("7984", "723", "10180", "5640", "1191", "2231", "7052", "2670")


def records(patient: str, rng: random.Random, drugs: list, allergies: int = 10,
            medications: int = 25) -> list[dict]:
    subject = {"reference": f"Patient/{patient}"}
    made = [{"resourceType": "Patient", "id": patient, "name": [{"family": patient}]}]
    for drug in rng.sample(drugs, medications):
        made.append({"resourceType": "MedicationRequest", "id": f"{patient}-m{drug.rxcui}",
                     "status": "active", "intent": "order", "subject": subject,
                     "authoredOn": "2026-01-02",
                     "medicationCodeableConcept": {"text": drug.name, "coding": [
                         {"system": RXNORM, "code": drug.rxcui}]}})
    for n in range(allergies):
        coded = n < len(ALLERGENS)
        code = {"text": f"allergen {n}"}
        if coded:
            code["coding"] = [{"system": RXNORM, "code": ALLERGENS[n]}]
        made.append({"resourceType": "AllergyIntolerance", "id": f"{patient}-a{n}",
                     "patient": subject, "code": code, "recordedDate": "2026-01-02"})
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--others", type=int, default=300)
    args = parser.parse_args(argv)
    rng = random.Random(15)
    catalogue = load_catalogue()
    drugs = sorted((d for d in catalogue.drugs.values() if d.kind == "product"
                    and d.rxcui != WARFARIN_5MG), key=lambda d: d.rxcui)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "store", encrypted=True)
        try:
            with store.write() as conn:
                put_resources(conn, records("patient-0", rng, drugs), "bench", audit.now_text())
                for n in range(1, args.others + 1):
                    put_resources(conn, records(f"patient-{n}", rng, drugs, 2, 5), "bench",
                                  audit.now_text())
            checks = SafetyChecks(store, catalogue, SafetyPolicy())
            warfarin = catalogue.drug(WARFARIN_5MG)

            def work():
                with store.read() as conn:
                    return checks.check_in(conn, "patient-0", warfarin)

            (check, result), (chart, summary), (check_work, _) = alternating(
                [lambda: checks.check(CLINICIAN, "patient-0", WARFARIN_5MG),
                 lambda: Chart(store).summary(CLINICIAN, "patient-0"), work], args.queries)
        finally:
            store.close()
    answer = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
              "scale": {"queries": args.queries, "active_medications": 25, "allergies": 10,
                        "other_patients": args.others},
              "check_ms": check, "check_work_ms": check_work, "alerts": len(result.alerts),
              "unchecked": len(result.unchecked),
              "baseline_chart_summary_ms": {
                  **chart, "medications": len(summary.active_medications)},
              "ratios": {"check_p95_over_chart_summary_p95":
                         round(check["p95"] / chart["p95"], 2)},
              "target": {"check_p95_ms": 5, "met": check["p95"] <= 5}}
    print(orjson.dumps(answer, option=orjson.OPT_INDENT_2).decode())
    return 0


def alternating(actions: list, rounds: int) -> list[tuple[dict, object]]:
    """Each action run once per round, in turn: (p50/p95 ms, last answer) of each."""
    seconds: list[list[float]] = [[] for _ in actions]
    answers: list[object] = [None] * len(actions)
    for _ in range(rounds):
        for n, action in enumerate(actions):
            start = time.perf_counter()
            answers[n] = action()
            seconds[n].append(time.perf_counter() - start)
    return [(ms(taken), answer) for taken, answer in zip(seconds, answers, strict=True)]


if __name__ == "__main__":
    sys.exit(main())
