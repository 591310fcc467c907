"""Benchmark: a 60-page history printed as a PDF (issue 16: <= 3 s), beside reading the same
records without a PDF in the same run; and a superbill (issue 16: <= 150 ms), beside an
audited read of its Claim alone.

    python -m tests.perf.bench_printing [--problems 1300] [--runs 5]

Prints JSON. One encrypted store with a patient whose problem list holds `--problems`
Conditions, one in three active (1,300, each title wrapping onto a second line, fill 60 A4
pages). Timed (p50/p95 of `--runs`):
`Printouts.print` of the problem list (the audited read, the layout and the PDF written to
disk); as the baseline, the same records read through the chart (`Chart.section`, pages of
1,000, every entry described), which is what any screen would do to show them.
The superbill: a coded visit of 4 diagnoses and 6 lines, insured, priced from the fee
schedule (`Printouts.print` of "superbill"), against one audited unit of work reading that
Claim alone.
"""

import argparse
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import orjson

from app.clinical.billing.fees import HCPCS, PAYER_SYSTEM, fee_id
from app.clinical.chart.chart import Chart
from app.clinical.printing.printouts import Printouts, PrintRequest
from app.clinical.records import Records
from app.security.roles import Permission
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


BILLED, VISIT = "billed", "billed-visit"
SERVICES = ("G0439", "G0444", "J1885", "J3301", "G0442", "G0443")
DIAGNOSES = ("E11.9", "I10", "E78.5", "Z00.00")


def coded_visit() -> list[dict]:
    """A patient, her insurance card, a finished visit, its Claim as visit coding writes it
    (4 diagnoses, 6 lines) and a fee for each line's code (a default and the payer's)."""
    patient = {"reference": f"Patient/{BILLED}"}
    made = [{"resourceType": "Patient", "id": BILLED, "birthDate": "1960-05-01",
             "name": [{"family": "Okafor", "given": ["Ann"]}],
             "identifier": [{"type": {"coding": [{"code": "MR"}]}, "value": "MRN-2"}]},
            {"resourceType": "Coverage", "id": "card", "status": "active",
             "beneficiary": patient, "subscriberId": "ACM-1", "payor": [
                 {"display": "Acme Health"}]},
            {"resourceType": "Encounter", "id": VISIT, "status": "finished", "subject": patient,
             "class": {"code": "AMB"}, "period": {"start": "2026-03-02T09:00:00Z"}}]
    made.append({
        "resourceType": "Claim", "id": f"claim-{VISIT}", "status": "draft", "use": "claim",
        "type": {"coding": [{"code": "professional"}]}, "patient": patient,
        "created": "2026-03-02T10:00:00Z", "priority": {"coding": [{"code": "normal"}]},
        "provider": {"identifier": {"system": "urn:hearth:user", "value": "bench-doctor"},
                     "display": "Benchmark"},
        "insurance": [{"sequence": 1, "focal": True, "coverage": {"reference":
                                                                  "Coverage/card"}}],
        "diagnosis": [{"sequence": n, "diagnosisCodeableConcept": {"coding": [
            {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": code}]}}
            for n, code in enumerate(DIAGNOSES, start=1)],
        "item": [{"sequence": n, "productOrService": {"coding": [
            {"system": HCPCS, "code": code, "display": f"Service {code}"}]},
            "quantity": {"value": 1 + n % 2}, "diagnosisSequence": [1 + n % 4],
            "servicedDate": "2026-03-02", "encounter": [{"reference": f"Encounter/{VISIT}"}],
            "locationCodeableConcept": {"coding": [{"code": "11", "display": "Office"}]}}
            for n, code in enumerate(SERVICES, start=1)]})
    made += [{"resourceType": "ChargeItemDefinition", "id": fee_id(HCPCS, code),
              "url": f"urn:hearth:fee-schedule:{code}", "status": "active",
              "code": {"coding": [{"system": HCPCS, "code": code}]},
              "propertyGroup": [{"priceComponent": [
                  {"type": "base", "code": {"coding": [{"system": PAYER_SYSTEM, "code": payer}]},
                   "amount": {"value": amount, "currency": "USD"}}
                  for payer, amount in (("default", 50 + n), ("Acme Health", 40 + n))]}]}
             for n, code in enumerate(SERVICES)]
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
                put_resources(conn, history(args.problems) + coded_visit(), "bench",
                              audit.now_text())
            request = PrintRequest(PATIENT, "problems", Path(tmp) / "problems.pdf", paper="a4")
            printing, printed = timed(lambda: Printouts(store).print(CLINICIAN, request),
                                      args.runs)
            chart = Chart(store)

            def read_all() -> int:
                pages = -(-args.problems // 1000)
                return sum(len(chart.section(CLINICIAN, PATIENT, "problems", page, 1000).items)
                           for page in range(1, pages + 1))

            reading, read = timed(read_all, args.runs)
            bill = PrintRequest(BILLED, "superbill", Path(tmp) / "superbill.pdf", VISIT, "a4")
            billing, billed = timed(lambda: Printouts(store).print(CLINICIAN, bill), args.runs)

            def claim_alone() -> dict:
                with Records(store).read(CLINICIAN, Permission.READ_CHART) as work:
                    claim = work.get("Claim", f"claim-{VISIT}")
                    work.read(f"Claim/claim-{VISIT}", "benchmark: the claim alone", BILLED)
                return claim

            claim_read, _ = timed(claim_alone, args.runs)
        finally:
            store.close()
    answer = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
              "scale": {"problems": args.problems, "runs": args.runs, "paper": "a4"},
              "print_ms": printing, "pages": printed.pages, "entries": printed.entries,
              "baseline_read_ms": reading, "baseline_entries": read,
              "ratios": {"print_p95_over_read_p95": round(printing["p95"] / reading["p95"], 1)},
              "target": {"print_p95_ms": 3000, "met": printing["p95"] <= 3000},
              "superbill": {
                  "print_ms": billing, "pages": billed.pages, "entries": billed.entries,
                  "baseline_claim_read_ms": claim_read,
                  "ratio_p95": round(billing["p95"] / claim_read["p95"], 1),
                  "target": {"print_p95_ms": 150, "met": billing["p95"] <= 150}}}
    print(orjson.dumps(answer, option=orjson.OPT_INDENT_2).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
