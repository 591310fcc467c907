"""Benchmark: the duplicate check before a registration, against plain patient search.

    python -m tests.perf.bench_duplicates --patients 100000

Prints JSON. One encrypted store of synthetic patients (tests/perf/synthetic.py, the build
bench_search uses) is checked for people already in it, as a desk would type them again:
exactly, with one slip in the family name, with the day and month of birth swapped, and by
a short form of the given name. Each check is timed through Registration.check (the FTS5
query, the name comparison and the audit row, as the desk pays for it), taking turns with a
plain search for the same person's given and family name (PatientSearch.search, audited
too): the baseline of the same run. `found` is the share of checks whose candidates
include the person typed again.
"""

import argparse
import random
import sys
import tempfile
from pathlib import Path

import orjson

from app.clinical.patients.duplicates import Person
from app.clinical.patients.registration import Registration
from app.clinical.patients.search import PatientSearch
from app.security.policy import RegistrationPolicy
from tests.perf.bench_search import typo
from tests.perf.bench_store import BUNDLED, CLINICIAN, ingest, ms, open_store, timed
from tests.perf.synthetic import write_dataset

SHORT_FORMS = {"Robert": "Bob", "William": "Bill", "James": "Jim", "Elizabeth": "Liz",
               "Richard": "Rick", "Michael": "Mike", "Thomas": "Tom", "Patricia": "Trish",
               "Jennifer": "Jenny", "Susan": "Sue", "Barbara": "Barb", "David": "Dave",
               "John": "Jack", "Charles": "Chuck", "Mary": "Molly", "José": "Pepe"}


def typed_again(who: dict, kind: str, rng: random.Random) -> Person:
    """The person as typed again at the desk, in one of the ways the check must catch."""
    family, given, born = who["family"], who["given"][0], who["birthDate"]
    if kind == "typo" and len(family) >= 5:
        family = typo(family, rng)
    elif kind == "swapped_date" and int(born[8:]) <= 12:
        born = f"{born[:4]}-{born[8:]}-{born[5:7]}"
    elif kind == "short_form":
        given = SHORT_FORMS.get(given, given)
    return Person(family, given, born)


def check_times(store, people: list[dict], count: int, rng: random.Random) -> dict:
    """Checks and searches take turns, so a busy moment of a shared machine hits both."""
    registration = Registration(store, RegistrationPolicy())
    finder = PatientSearch(store)
    kinds = ("exact", "typo", "swapped_date", "short_form")
    checks, searches, found, sizes = [], [], 0, []
    for number, who in enumerate(rng.sample(people, min(count, len(people)))):
        person = typed_again(who, kinds[number % len(kinds)], rng)
        answer = []
        checks.append(timed(lambda p=person, a=answer: a.extend(registration.check(CLINICIAN, p))))
        typed = f"{who['given'][0]} {who['family']}"
        searches.append(timed(lambda t=typed: finder.search(CLINICIAN, t)))
        found += any(c.mrn == who["mrn"] for c in answer)
        sizes.append(len(answer))
    return {"duplicate_check_ms": ms(checks), "plain_search_ms": ms(searches),
            "found": round(found / len(checks), 3),
            "candidates_per_check_max": max(sizes), "checks": len(checks)}


def run(args) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data = write_dataset(tmp / "input", BUNDLED, args.patients, 0, 0)
        store = open_store(tmp / "store", True)
        result = {"patients": args.patients, "ingest": ingest(store, data),
                  **check_times(store, data["people"], args.queries, random.Random(14))}
        result["check_p95_over_search_p95"] = round(
            result["duplicate_check_ms"]["p95"] / result["plain_search_ms"]["p95"], 2)
        store.close()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=400, help="checks (and searches)")
    args = parser.parse_args(argv)
    print(orjson.dumps(run(args), option=orjson.OPT_INDENT_2).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
