"""A small clinic's fortnight as FHIR records, for the report tests to import, and the
figures a clerk would count from those same records by hand (never by the reports' code).

The fortnight is FIRST to LAST (Monday 3 to Sunday 16 March 2025, in the past, so every
appointment was due); records just outside it (the day before, the day after) must not count.
"""

from collections import Counter
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import orjson

FIRST, LAST = date(2025, 3, 3), date(2025, 3, 16)
DOCTORS = {"pr-1": "Maria Okafor", "pr-2": "Wei Chen"}
VISIT_TYPES = ("Follow-up visit", "Check-up visit")
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
DIAGNOSES = {"E11.9": "Type 2 diabetes mellitus without complications",
             "I10": "Essential (primary) hypertension", "J06.9": "Acute upper respiratory "
             "infection, unspecified"}


def at(day: date, hour: int) -> str:
    """A local moment, written with this computer's offset (as Hearth writes them)."""
    return datetime.combine(day, time(hour)).astimezone().isoformat(timespec="seconds")


def days() -> list[date]:
    """The fortnight, with the day before and the day after."""
    return [FIRST + timedelta(days=n) for n in range(-1, 15)]


def patients() -> list[dict]:
    return [{"resourceType": "Patient", "id": f"pt-{n}", "gender": "female",
             "birthDate": "1970-01-01", "name": [{"family": f"Family{n}", "given": ["Ann"]}]}
            for n in range(12)]


def practitioners() -> list[dict]:
    return [{"resourceType": "Practitioner", "id": rid,
             "name": [{"family": name.split()[1], "given": [name.split()[0]]}]}
            for rid, name in DOCTORS.items()]


def encounters() -> list[dict]:
    """Three visits a day (one of them cancelled on odd days) and one entered in error."""
    made = []
    for n, day in enumerate(days()):
        for k in range(3):
            doctor = DOCTORS[("pr-1", "pr-2")[(n + k) % 2]]
            status = "cancelled" if k == 2 and n % 2 else "finished"
            made.append({
                "resourceType": "Encounter", "id": f"enc-{n}-{k}", "status": status,
                "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                          "code": "AMB"},
                "type": [{"text": VISIT_TYPES[k % 2]}],
                "subject": {"reference": f"Patient/pt-{(n + k) % 12}"},
                "participant": [{"individual": {"display": doctor}}],
                "period": {"start": at(day, 9 + k), "end": at(day, 9 + k)}})
    made[4]["status"] = "entered-in-error"
    return made


def appointments() -> list[dict]:
    statuses = ("fulfilled", "noshow", "fulfilled", "cancelled", "booked", "noshow",
                "waitlist", "arrived")
    made = []
    for n, day in enumerate(days()):
        for k in range(4):
            made.append({
                "resourceType": "Appointment", "id": f"appt-{n}-{k}",
                "status": statuses[(n + k) % len(statuses)],
                "start": at(day, 10 + k), "end": at(day, 10 + k).replace(":00:00", ":20:00"),
                "participant": [
                    {"actor": {"reference": f"Patient/pt-{k}"}, "status": "accepted"},
                    {"actor": {"reference": f"Practitioner/pr-{1 + k % 2}"},
                     "status": "accepted"}]})
    return made


def conditions() -> list[dict]:
    codes = ("I10", "E11.9", "I10", "J06.9", "I10", "E11.9")
    made = []
    for n, day in enumerate(days()):
        code = codes[n % len(codes)]
        made.append({
            "resourceType": "Condition", "id": f"cond-{n}",
            "clinicalStatus": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                "code": "active"}]},
            "code": {"coding": [{"system": ICD10, "code": code, "display": DIAGNOSES[code]}]},
            "subject": {"reference": f"Patient/pt-{n % 5}"}, "recordedDate": at(day, 11)})
    made[4]["verificationStatus"] = {"coding": [{
        "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
        "code": "entered-in-error"}]}
    del made[4]["clinicalStatus"]  # FHIR: no clinical status on a record entered in error
    return made


def review_tasks() -> list[dict]:
    owners = ({"display": "Maria Okafor", "identifier": {"system": "urn:hearth:user",
                                                          "value": "okafor"}}, None)
    made = []
    for n, day in enumerate(days()):
        task = {"resourceType": "Task", "id": f"task-{n}",
                "status": "completed" if n % 3 == 0 else "requested", "intent": "order",
                "code": {"coding": [{"system": "urn:hearth:task", "code": "review"}]},
                "for": {"reference": f"Patient/pt-{n % 12}"}, "authoredOn": at(day, 12)}
        if owner := owners[n % 2]:
            task["owner"] = owner
        made.append(task)
    return made


def claims() -> list[dict]:
    made = []
    for n, day in enumerate(days()):
        claim = {
            "resourceType": "Claim", "id": f"claim-enc-{n}-0",
            "status": ("draft", "active", "active", "cancelled")[n % 4], "use": "claim",
            "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type",
                                 "code": "professional"}]},
            "patient": {"reference": f"Patient/pt-{n % 12}"}, "created": at(day, 17),
            "provider": {"display": "Maria Okafor"},
            "priority": {"coding": [{"code": "normal"}]},
            "insurance": [{"sequence": 1, "focal": True,
                           "coverage": {"display": "Self-pay"}}]}
        if n % 5:  # one in five not priced yet
            claim["total"] = {"value": float(Decimal("75.10") * (n % 3 + 1)),
                              "currency": "USD"}
        made.append(claim)
    return made


def claim_responses() -> list[dict]:
    """The payer paid claim 2 in full (75.10 x 3) and denied claim 5."""
    made = []
    for n, outcome in ((2, "complete"), (5, "error")):
        answer = {"resourceType": "ClaimResponse", "id": f"answer-{n}", "status": "active",
                  "type": {"coding": [{"code": "professional"}]}, "use": "claim",
                  "patient": {"reference": f"Patient/pt-{n % 12}"},
                  "created": at(LAST, 18), "insurer": {"display": "Acme Health"},
                  "request": {"reference": f"Claim/claim-enc-{n}-0"}, "outcome": outcome}
        if outcome == "complete":
            answer["payment"] = {"type": {"coding": [{"code": "complete"}]},
                                 "amount": {"value": 225.30, "currency": "USD"}}
        else:
            answer["disposition"] = "Not covered"
        made.append(answer)
    return made


def write_ndjson(path: Path) -> Path:
    records = (patients() + practitioners() + encounters() + appointments() + conditions()
               + review_tasks() + claims() + claim_responses())
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


def in_fortnight(moment: str) -> bool:
    return FIRST <= datetime.fromisoformat(moment).astimezone().date() <= LAST


def expected_visits_per_day() -> Counter:
    return Counter((datetime.fromisoformat(e["period"]["start"]).date().isoformat(),
                    e["participant"][0]["individual"]["display"], e["type"][0]["text"])
                   for e in encounters() if e["status"] == "finished"
                   and in_fortnight(e["period"]["start"]))


def expected_no_shows() -> dict[str, tuple[int, int]]:
    """Practitioner name: (appointments due, no-shows)."""
    due, missed = Counter(), Counter()
    for a in appointments():
        if a["status"] in ("booked", "arrived", "checked-in", "fulfilled", "noshow") \
                and in_fortnight(a["start"]):
            who = DOCTORS[a["participant"][1]["actor"]["reference"].split("/")[1]]
            due[who] += 1
            missed[who] += a["status"] == "noshow"
    return {who: (due[who], missed[who]) for who in due}


def expected_diagnoses() -> Counter:
    """Code: patients with it recorded in the fortnight."""
    pairs = {(c["code"]["coding"][0]["code"], c["subject"]["reference"]) for c in conditions()
             if "verificationStatus" not in c and in_fortnight(c["recordedDate"])}
    return Counter(code for code, _ in pairs)


def expected_claims() -> dict[tuple[str, str], tuple[int, Decimal, Decimal]]:
    """(billing's status, currency or "not priced"): (claims, billed, paid)."""
    answers = {a["request"]["reference"]: a for a in claim_responses()}
    found: dict = {}
    for c in claims():
        if not in_fortnight(c["created"]):
            continue
        answer = answers.get(f"Claim/{c['id']}", {})
        status = {"draft": "draft", "cancelled": "cancelled"}.get(c["status"]) or {
            "complete": "paid", "error": "denied"}.get(answer.get("outcome"), "submitted")
        key = (status, c["total"]["currency"] if "total" in c else "not priced")
        count, billed, paid = found.get(key, (0, Decimal(0), Decimal(0)))
        found[key] = (count + 1,
                      billed + (Decimal(str(c["total"]["value"])) if "total" in c else 0),
                      paid + Decimal(str(answer.get("payment", {}).get("amount", {}).get(
                          "value", 0))))
    return found
