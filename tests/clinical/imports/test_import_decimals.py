"""Decimals arrive exactly as written: a lab's "1.50" stays "1.50" in the store and on the
chart, whether the file is a Bundle, NDJSON, or a Bundle large enough to be streamed."""

import uuid

import orjson
import pytest
from sqlalchemy import text

from app.clinical.fhir.identity import HEARTH_NAMESPACE
from app.clinical.imports import fhir_input
from tests.conftest import sign_in

WRITTEN = ["1.50", "0.10", "3.14159265358979323846", "1e3", "-2.50E-3"]
PATIENT = b'{"resourceType":"Patient","id":"dec-patient","name":[{"family":"Decimal"}]}'
LAB = (b'"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/'
       b'observation-category","code":"laboratory"}]}]')


def observation(n: int, number: str) -> bytes:
    """Written by hand: orjson would write 1.50 as 1.5 before the importer saw it."""
    return (b'{"resourceType":"Observation","id":"dec-%d","status":"final",%s,'
            b'"code":{"text":"Potassium %d"},"subject":{"reference":"Patient/dec-patient"},'
            b'"effectiveDateTime":"2024-01-%02d","valueQuantity":{"value":%s,"unit":"mmol/L"}}'
            % (n, LAB, n, n + 1, number.encode()))


def files(tmp_path, form: str):
    resources = [PATIENT] + [observation(n, number) for n, number in enumerate(WRITTEN)]
    if form == "ndjson":
        path = tmp_path / "labs.ndjson"
        path.write_bytes(b"\n".join(resources) + b"\n")
    else:
        path = tmp_path / "labs.json"
        path.write_bytes(b'{"resourceType":"Bundle","type":"collection","entry":['
                         + b",".join(b'{"resource":%s}' % r for r in resources) + b"]}")
    return path


@pytest.mark.parametrize("form", ["bundle", "ndjson", "streamed"])
def test_decimals_are_stored_and_shown_as_written(admin, env, store_dir, tmp_path, monkeypatch,
                                                   form):
    if form == "streamed":  # the streamed reader, without writing 32 MB
        monkeypatch.setattr(fhir_input, "STREAM_ABOVE", 0)
    report = admin.importer.run(admin.session, [files(tmp_path, form)])
    assert (report.imported, report.skipped) == (6, 0), report.errors

    with admin.store.read() as conn:
        stored = [conn.execute(text("SELECT json FROM resource WHERE id = :id"),
                               {"id": f"dec-{n}"}).scalar_one() for n in range(len(WRITTEN))]
        queued = [conn.execute(text("SELECT json FROM outbox WHERE id = :id"),
                               {"id": f"dec-{n}"}).scalar_one() for n in range(len(WRITTEN))]
    for number, body, upload in zip(WRITTEN, stored, queued, strict=True):
        assert f'"value":{number},' in body and f'"value":{number},' in upload

    doctor = sign_in(admin, env, store_dir, "drlee", "physician")
    labs = doctor.chart.section(doctor.session, "dec-patient", "labs")
    shown = {item.title: item.value for item in labs.items}
    assert shown == {"Potassium 0": "1.50 mmol/L", "Potassium 1": "0.10 mmol/L",
                     "Potassium 2": "3.142… mmol/L",  # the chart shortens 21 digits, and says so
                     "Potassium 3": "1e3 mmol/L", "Potassium 4": "-2.50E-3 mmol/L"}


def test_content_derived_ids_stay_what_earlier_imports_gave(admin, tmp_path):
    """A resource with neither id nor fullUrl is named by its content: content whose
    numbers read back the same keeps the id it had before decimals were kept exactly."""
    weight = {"resourceType": "Observation", "status": "final", "code": {"text": "Weight"},
              "valueQuantity": {"value": 72.5, "unit": "kg"}}
    before = uuid.uuid5(HEARTH_NAMESPACE, orjson.dumps(weight, option=orjson.OPT_SORT_KEYS)
                        .decode())
    (tmp_path / "weight.ndjson").write_bytes(orjson.dumps(weight) + b"\n")
    admin.importer.run(admin.session, [tmp_path / "weight.ndjson"])
    with admin.store.read() as conn:
        assert conn.execute(text("SELECT id FROM resource")).scalars().all() == [str(before)]
