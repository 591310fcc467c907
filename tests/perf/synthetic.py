"""Realistic data at any scale, made from Synthea bundles.

Full patients are copies of Synthea patient bundles with fresh ids (the shared hospital
and practitioner records keep theirs, as in a real export) and new names, MRNs and birth
dates, so search sees 100,000 different people. Beyond the full patients, the rest are
demographics only. The heavy patient has 10,000 clinical records: one Synthea history
copied over and over onto a single chart.
"""

import random
import re
import uuid
from pathlib import Path

import orjson

UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
NOT_CHART = {"Patient", "Organization", "Practitioner", "PractitionerRole", "Location"}
NAMESPACE = uuid.UUID("0f3c9a4e-6d2b-4b7a-9e51-3c8d2f1a7b60")
FAMILY = ["Smith", "Johnson", "Williams", "Brown", "Jones", "García", "Miller", "Davis",
          "Rodríguez", "Martínez", "Hernández", "López", "González", "Wilson", "Anderson",
          "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Pérez", "Thompson",
          "White", "Harris", "Sánchez", "Clark", "Ramírez", "Lewis", "Robinson", "Walker",
          "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
          "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell",
          "Carter", "Roberts", "O'Brien", "Kowalski", "Müller", "Okafor", "Haddad", "Chen"]
GIVEN = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda",
         "David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "José", "Jessica",
         "Thomas", "Sarah", "Charles", "Karen", "Amara", "Chloé", "Wei", "Fatima", "Noah",
         "Zoë", "Luis", "Ana", "Ibrahim", "Olga"]


def source_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """(shared hospital/practitioner bundles, patient bundles) in a Synthea folder."""
    files = sorted(folder.glob("*.json"))
    shared = [f for f in files if f.name.startswith(("hospital", "practitioner"))]
    return shared, [f for f in files if f not in shared]


def person(rng: random.Random, number: int) -> dict:
    family = f"{rng.choice(FAMILY)}{'' if number % 3 else rng.choice(['-Ross', 'son', ''])}"
    return {"family": family, "given": [rng.choice(GIVEN)], "mrn": f"MRN{number:07d}",
            "birthDate": f"{rng.randint(1925, 2024)}-{rng.randint(1, 12):02d}-"
                         f"{rng.randint(1, 28):02d}",
            "phone": f"555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"}


def fresh_ids(raw: bytes, copy: int, keep: set[bytes]) -> bytes:
    """The bundle with every UUID not in `keep` replaced, consistently, for this copy."""
    def swap(match: re.Match) -> bytes:
        value = match.group(0)
        return value if value in keep else str(uuid.uuid5(NAMESPACE, f"{copy}:{value}")).encode()
    return UUID.sub(swap, raw)


def with_person(bundle: dict, who: dict) -> dict:
    for entry in bundle["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == "Patient":
            resource["name"] = [{"use": "official", "family": who["family"],
                                 "given": who["given"]}]
            resource["birthDate"] = who["birthDate"]
            resource["telecom"] = [{"system": "phone", "value": who["phone"]}]
            resource["identifier"] = [{"type": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]},
                "system": "urn:hearth:bench", "value": who["mrn"]}]
    return bundle


def write_dataset(out: Path, synthea: Path, patients: int, full: int, heavy: int,
                  seed: int = 7) -> dict:
    """Write the input files; returns their paths and the people made (for queries)."""
    rng = random.Random(seed)
    shared, bundles = source_files(synthea)
    keep = {u for f in shared for u in UUID.findall(f.read_bytes())}
    raws = [f.read_bytes() for f in bundles]
    out.mkdir(parents=True, exist_ok=True)
    people, full_files = [], []
    for number in range(full):
        who = person(rng, number)
        bundle = orjson.loads(fresh_ids(raws[number % len(raws)], number, keep))
        path = out / f"full-{number:06d}.json"
        path.write_bytes(orjson.dumps(with_person(bundle, who)))
        full_files.append(path)
        people.append(who)
    demographics = out / "demographics.ndjson"
    with open(demographics, "wb") as f:
        for number in range(full, patients):
            who = person(rng, number)
            patient = with_person({"entry": [{"resource": {"resourceType": "Patient"}}]},
                                  who)["entry"][0]["resource"]
            patient["id"] = str(uuid.uuid5(NAMESPACE, f"patient:{number}"))
            patient["gender"] = rng.choice(["female", "male"])
            f.write(orjson.dumps(patient) + b"\n")
            people.append(who)
    return {"shared": shared, "full": full_files, "demographics": demographics,
            "heavy": write_heavy(out, raws, keep, heavy), "people": people}


def write_heavy(out: Path, raws: list[bytes], keep: set[bytes], records: int) -> Path:
    heavy_id = "heavy-patient"
    source = max(raws, key=len)
    entries = [{"resource": {"resourceType": "Patient", "id": heavy_id, "gender": "female",
                             "birthDate": "1950-06-15",
                             "name": [{"family": "Heavyweather", "given": ["Hana"]}]},
                "request": {"method": "PUT", "url": f"Patient/{heavy_id}"}}]
    copy = 0
    while len(entries) <= records:
        copy += 1
        bundle = orjson.loads(fresh_ids(source, 10_000_000 + copy, keep))
        [own] = [e["fullUrl"] for e in bundle["entry"]
                 if e["resource"]["resourceType"] == "Patient"]
        text = orjson.dumps([e for e in bundle["entry"]
                             if e["resource"]["resourceType"] not in NOT_CHART])
        entries += orjson.loads(text.replace(own.encode(), f"Patient/{heavy_id}".encode()))
    path = out / "heavy.json"
    path.write_bytes(orjson.dumps({"resourceType": "Bundle", "type": "transaction",
                                   "entry": entries[:records + 1]}))
    return path


URN = re.compile(rb'"reference":"(urn:uuid:[0-9a-f-]{36})"')


def write_ndjson(path: Path, synthea: Path, resources: int, seed: int = 7) -> list[Path]:
    """A bulk export of `resources` records in one NDJSON file, as a server writes one:
    copies of the Synthea patients with fresh ids and names, references as `Type/id`.
    Returns the files to import, the shared hospital and practitioner bundles first."""
    rng = random.Random(seed)
    shared, bundles = source_files(synthea)
    keep = {u for f in shared for u in UUID.findall(f.read_bytes())}
    places = {}  # urn -> b"Type/id" of the shared records, which every copy references
    for f in shared:
        for entry in orjson.loads(f.read_bytes())["entry"]:
            places[entry["fullUrl"].encode()] = _place(entry)
    raws = [f.read_bytes() for f in bundles]
    written, copy = 0, 0
    with open(path, "wb") as out:
        while written < resources:
            bundle = with_person(orjson.loads(fresh_ids(raws[copy % len(raws)], copy, keep)),
                                 person(rng, copy))
            here = {**places, **{e["fullUrl"].encode(): _place(e) for e in bundle["entry"]}}

            def as_path(match: re.Match, here: dict = here) -> bytes:
                return b'"reference":"' + here.get(match.group(1), match.group(1)) + b'"'

            for entry in bundle["entry"][:resources - written]:
                line = URN.sub(as_path, orjson.dumps(entry["resource"]))
                out.write(line + b"\n")
                written += 1
            copy += 1
    return [*shared, path]


def _place(entry: dict) -> bytes:
    resource = entry["resource"]
    return f"{resource['resourceType']}/{resource['id']}".encode()
