"""Hostile and broken input, as a fuzzer found it: each bad record or file gets one short
sentence, everything else imports, and memory stays bounded. Inputs are generated here."""

import json
import os
import random
import resource
import subprocess
import sys

import orjson
import pytest

from app.clinical.imports import fhir_input
from tests.conftest import ADMIN_PASSWORD

GOOD = b'{"resourceType":"Patient","id":"good-1","name":[{"family":"Okafor"}]}'
GOOD_2 = b'{"resourceType":"Patient","id":"good-2","name":[{"family":"Abara"}]}'


def bundle(*entries: bytes, entry_list: bytes | None = None) -> bytes:
    listed = entry_list if entry_list is not None else b"[" + b",".join(entries) + b"]"
    return b'{"resourceType":"Bundle","type":"collection","entry":' + listed + b"}"


def wrapped(resource: bytes) -> bytes:
    return b'{"resource":' + resource + b"}"


def deep(levels: int) -> bytes:
    return (b'{"resourceType":"Patient","id":"deep","extension":' + b"[" * (levels - 1)
            + b"]" * (levels - 1) + b"}")


def run(admin, tmp_path, name: str, content: bytes):
    (tmp_path / name).write_bytes(content)
    report = admin.importer.run(admin.session, [tmp_path / name])
    assert all(len(p.reason) <= 200 for p in report.errors + report.warnings)
    return report


@pytest.fixture(params=["whole", "streamed"])
def form(request, monkeypatch):
    """Every Bundle case both ways: read whole, and streamed entry by entry."""
    if request.param == "streamed":
        monkeypatch.setattr(fhir_input, "STREAM_ABOVE", 0)
    return request.param


TOO_DEEP = "nested more than 200 levels deep; not a record Hearth can store"
UNREADABLE = "nested more than 1,024 levels deep; the rest of this file could not be read"


@pytest.mark.parametrize("levels, reason", [
    (256, TOO_DEEP), (300, TOO_DEEP), (1023, TOO_DEEP),  # orjson reads these, cannot write them
    (1100, UNREADABLE),  # no JSON reader here goes deeper than 1,024 levels
])
def test_deep_nesting_is_refused_per_record(admin, tmp_path, form, levels, reason):
    report = run(admin, tmp_path, "deep.json", bundle(wrapped(GOOD), wrapped(deep(levels))))
    assert (report.imported, report.skipped) == (1, 1)
    assert (report.errors[0].entry, report.errors[0].reason) == (1, reason)


@pytest.mark.parametrize("levels, reason", [
    (300, TOO_DEEP), (1023, TOO_DEEP),
    (1100, "line 2 is not valid JSON (nested more than 1,024 levels deep)")])
def test_deep_nesting_in_ndjson_is_refused_per_line(admin, tmp_path, levels, reason):
    report = run(admin, tmp_path, "deep.ndjson", GOOD + b"\n" + deep(levels) + b"\n" + GOOD_2)
    assert (report.imported, report.skipped) == (2, 1)
    assert (report.errors[0].entry, report.errors[0].reason) == (2, reason)


@pytest.mark.parametrize("listed, kind", [
    (b"{}", "an object"), (b'"x"', "a string"), (b"5", "a number"), (b"null", "null")])
def test_an_entry_that_is_not_a_list_is_named(admin, tmp_path, form, listed, kind):
    report = run(admin, tmp_path, "odd.json", bundle(entry_list=listed))
    assert (report.imported, report.skipped) == (0, 1)
    assert report.errors[0].reason == f"the Bundle's entry is {kind}, not a list; nothing imported"


@pytest.mark.parametrize("bad, reason", [
    (b'"x"', "entry is a string, not an object"),
    (b"7", "entry is a number, not an object"),
    (b'{"request":"POST","resource":' + GOOD_2 + b"}", "request is a string, not an object"),
    (b'{"request":{"method":5},"resource":' + GOOD_2 + b"}",
     "request.method is a number, not a string"),
    (b'{"request":{"method":"POST","url":"Patient","ifNoneExist":{}},"resource":' + GOOD_2
     + b"}", "request.ifNoneExist is an object, not a string"),
    (b'{"fullUrl":5,"resource":' + GOOD_2 + b"}", "fullUrl is a number, not a string"),
    (b'{"fullUrl":["urn:uuid:1"],"resource":' + GOOD_2 + b"}",
     "fullUrl is an array, not a string"),
    (b'{"resource":[]}', "resource is an array, not an object"),
    (b'{"resource":null}', "entry has no resource"),
])
def test_entry_parts_of_the_wrong_type_are_named(admin, tmp_path, form, bad, reason):
    report = run(admin, tmp_path, "parts.json", bundle(wrapped(GOOD), bad))
    assert (report.imported, report.skipped) == (1, 1)
    assert (report.errors[0].entry, report.errors[0].reason) == (1, reason)


def padded(pid: str) -> bytes:
    """A patient larger than the 4 KB that the file check reads first."""
    return (b'{"resourceType":"Patient","id":"%s","name":[{"family":"Okafor","text":"%s"}]}'
            % (pid.encode(), b"x" * 5000))


@pytest.mark.parametrize("damage, reason", [
    (b"\xff\xfe", "not valid JSON (str is not valid UTF-8"),
    (b"\x00\x00", "not valid JSON (unexpected control character in string"),
])
def test_streamed_entry_with_bad_bytes_is_refused_and_the_rest_imports(
        admin, tmp_path, monkeypatch, damage, reason):
    monkeypatch.setattr(fhir_input, "STREAM_ABOVE", 0)
    broken = GOOD_2.replace(b"Abara", b"Ab" + damage + b"ara")
    report = run(admin, tmp_path, "damaged.json", bundle(
        wrapped(padded("p0")), wrapped(broken), wrapped(GOOD)))
    assert (report.imported, report.skipped, report.errors[0].entry) == (2, 1, 1)
    assert report.errors[0].reason.startswith(reason)


def test_streamed_file_cut_short_keeps_what_came_before(admin, tmp_path, monkeypatch):
    monkeypatch.setattr(fhir_input, "STREAM_ABOVE", 0)
    whole = bundle(wrapped(GOOD), wrapped(GOOD_2), wrapped(padded("p3")))
    report = run(admin, tmp_path, "cut.json", whole[:-2000])
    assert (report.imported, report.skipped) == (2, 1)
    assert (report.errors[0].entry, report.errors[0].reason) == (
        2, "not valid JSON: the file ends inside this entry (cut short?)")


@pytest.mark.parametrize("where", ["id", "resourceType", "birthDate", "ifNoneExist",
                                   "reference", "fullUrl"])
def test_reasons_never_echo_a_long_value(admin, tmp_path, where):
    huge = "9" * 1_300_000
    patient = {"resourceType": "Patient", "id": "p", "birthDate": "1980-01-01"}
    entry = {"resource": patient}
    if where in ("id", "resourceType", "birthDate"):
        patient[where] = huge
    elif where == "ifNoneExist":
        entry["request"] = {"method": "POST", "url": "Patient", "ifNoneExist": huge}
    elif where == "reference":
        patient["generalPractitioner"] = [{"reference": f"Practitioner?name={huge}"}]
    else:
        entry["fullUrl"] = f"http://example.org/fhir/{huge}"
        patient["id"] = "x" * 70
    report = run(admin, tmp_path, "long.json", orjson.dumps({
        "resourceType": "Bundle", "type": "collection", "entry": [entry]}))
    assert report.skipped == 1 and len(orjson.dumps(report.as_json())) < 1000


CHILD = """
import json, sys
from pathlib import Path
from keyring.backends import SecretService
from app.bootstrap import Environment, open_workstation
from tests.conftest import TEST_POLICY
backend = SecretService.Keyring()
env = Environment(keyring_backend=lambda: backend, policy=TEST_POLICY)
ws = open_workstation(env, Path(sys.argv[1]), "admin", sys.argv[2])
report = ws.importer.run(ws.session, [Path(p) for p in sys.argv[3:]])
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the forked test process.
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status")
               if line.startswith("VmHWM:"))
print(json.dumps({**report.as_json(), "peak_mb": peak_kb // 1024}))
"""


def test_a_50_mb_deeply_nested_file_is_refused_in_bounded_memory(admin, store_dir, tmp_path):
    levels = 25 * 1024 * 1024
    nested = tmp_path / "nested.json"
    with open(nested, "wb") as f:
        f.write(b'{"resourceType":"Bundle","type":"collection","entry":[' + wrapped(GOOD)
                + b',{"resource":{"resourceType":"Patient","id":"deep","extension":')
        f.write(b"[" * levels)
        f.write(b"]" * levels)
        f.write(b"}}]}")
    other = tmp_path / "other.ndjson"
    other.write_bytes(GOOD_2 + b"\n")
    limit = 2 * 1024 ** 3  # a cap, so that a regression fails here instead of the machine

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    done = subprocess.run([sys.executable, "-c", CHILD, str(store_dir), ADMIN_PASSWORD,
                           str(nested), str(other)], capture_output=True, text=True,
                          timeout=300, preexec_fn=cap, env=os.environ.copy())
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.splitlines()[-1])
    assert (result["imported"], result["skipped"]) == (2, 1)
    assert result["errors"][0]["reason"] == UNREADABLE
    assert result["peak_mb"] < 400, result["peak_mb"]


SEED = {"resourceType": "Bundle", "type": "transaction", "entry": [
    {"fullUrl": "urn:uuid:0e3f5a52-1b8f-4c7e-9c1e-3a6f8d2b7c41",
     "resource": {"resourceType": "Patient", "identifier": [{"system": "s", "value": "v"}],
                  "name": [{"family": "Okafor"}], "birthDate": "1970-01-01"},
     "request": {"method": "POST", "url": "Patient", "ifNoneExist": "identifier=s|v"}},
    {"fullUrl": "http://a.example/fhir/Observation/o1",
     "resource": {"resourceType": "Observation", "id": "o1", "status": "final",
                  "meta": {"versionId": "2", "lastUpdated": "2024-01-01T00:00:00Z"},
                  "code": {"text": "Weight"}, "valueQuantity": {"value": 1.5},
                  "subject": {"reference": "urn:uuid:0e3f5a52-1b8f-4c7e-9c1e-3a6f8d2b7c41"},
                  "performer": [{"reference": "Practitioner?identifier=x|y"}]},
     "request": {"method": "PUT", "url": "Observation?identifier=q"}},
    {"fullUrl": "http://b.example/fhir/Observation/o1",
     "resource": {"resourceType": "Observation", "id": "o1", "status": "final",
                  "code": {"text": "Height"}, "subject": {"reference": "Patient/1"}}}]}
ODD = [{}, [], "", 0, -1.5, None, True, [[[[]]]], "9" * 5000, "Patient?identifier=s|v",
       "Patient?name=x", "http://b.example/fhir/Patient/1"]
ODD_BYTES = [b"\x00", b"\xff\xfe", b'"', b"{", b"]", b",", b"\\", b"1e400", b"[" * 300]


def mutated(rng: random.Random) -> bytes:
    """The seed Bundle with values swapped for ones of other types, then maybe cut short, or
    with odd bytes put in or taken out."""
    document = orjson.loads(orjson.dumps(SEED))
    for _ in range(rng.randrange(1, 4)):
        *steps, last = rng.choice(list(_paths(document))[1:])
        holder = document
        for step in steps:
            holder = holder[step]
        holder[last] = orjson.loads(orjson.dumps(rng.choice(ODD)))
    raw = bytearray(orjson.dumps(document))
    at, how = rng.randrange(len(raw)), rng.random()
    if how < 0.2:
        del raw[at:]
    elif how < 0.4:
        raw[at:at] = rng.choice(ODD_BYTES)
    elif how < 0.5:
        del raw[at]
    return bytes(raw)


def _paths(node, here=()):
    yield here
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(
        node, list) else ()
    for key, child in children:
        yield from _paths(child, (*here, key))


def test_a_fuzz_campaign_never_aborts_an_import(admin, tmp_path, monkeypatch):
    """300 mutations, each read whole, streamed and as NDJSON lines: none raises."""
    rng = random.Random(20261203)
    for number in range(300):
        content = mutated(rng)
        for form in ("whole", "streamed", "ndjson"):
            monkeypatch.setattr(fhir_input, "STREAM_ABOVE", 0 if form == "streamed" else 1 << 25)
            path = tmp_path / f"{number}-{form}.{'ndjson' if form == 'ndjson' else 'json'}"
            path.write_bytes(content.replace(b'},{"fullUrl"', b'}\n{"fullUrl"')
                             if form == "ndjson" else content)
            report = admin.importer.run(admin.session, [path])
            assert all(len(p.reason) <= 200 for p in report.errors + report.warnings)
