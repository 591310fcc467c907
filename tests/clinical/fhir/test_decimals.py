"""FHIR decimals keep the digits they were written with: a lab's "1.50" is not "1.5", in
the store, on the wire and in the chart (issue 10, defect 3)."""

import pytest

from app.bootstrap import SyncSettings
from app.clinical.charting.vitals import Vitals
from fhir_common import fhir_json
from tests.conftest import sign_in
from tests.sync.conftest import start_fhir_server
from tests.sync.stations import patient, workstation

WRITTEN = (b'{"a":1.50,"b":[0.10,3.14159265358979323846,1e3,2.5,-0.0],"c":"x, 1.0","n":100,'
           b'"big":123456789012345678901234,"max":999999999999999999}')


def test_decimals_come_back_exactly_as_written():
    assert fhir_json.dumps(fhir_json.loads(WRITTEN)) == WRITTEN


@pytest.mark.parametrize("number", [b"1.50", b"0.00001", b"1e3", b"1.0E+2",
                                    b"123456789012345678901234"])
@pytest.mark.parametrize("layout", [b'{"v":[%s]}', b'{"v":[%s]}\n', b'{\n  "v": [%s]\n}'])
def test_a_number_orjson_would_rewrite_keeps_its_digits_however_laid_out(number, layout):
    assert fhir_json.dumps(fhir_json.loads(layout % number)) == b'{"v":[%s]}' % number


def test_a_decimal_still_counts_as_a_number():
    parsed = fhir_json.loads(WRITTEN)
    assert parsed["a"] == 1.5 and parsed["a"] * 2 == 3.0 and f"{parsed['a']}" == "1.50"


def test_not_a_number_is_refused_as_json_is():
    with pytest.raises(fhir_json.JSONDecodeError):
        fhir_json.loads(b'{"value": NaN, "x": 1.50}')


def test_a_temperature_typed_with_a_trailing_zero_is_stored_and_shown_so(admin, env, store_dir):
    nurse = sign_in(admin, env, store_dir, "nina", "nurse")
    ann = nurse.patients.register(nurse.session, patient("Okafor"))["id"]

    Vitals(nurse.store).record(nurse.session, ann, {"temperature": "37.20", "weight": "70,50"})

    with nurse.store.read() as conn:
        bodies = [row[0] for row in conn.exec_driver_sql(
            "SELECT json FROM resource WHERE type = 'Observation'")]
    assert any('"value":37.20' in body for body in bodies)
    assert any('"value":70.50' in body for body in bodies)
    shown = {v.title: v.value for v in nurse.chart.summary(nurse.session, ann).latest_vitals}
    assert "37.20 °C" in shown.values() and "70.50 kg" in shown.values()


def test_a_decimal_goes_to_the_server_with_its_digits_and_keeps_them_here(env, tmp_path):
    """SEKMET (like most servers) reads numbers as doubles and echoes 37.2: the bytes sent
    carry 37.20 and the workstation that wrote it keeps 37.20 after the server confirms."""
    a = workstation(env, tmp_path / "a")
    sent: list[bytes] = []
    try:
        with start_fhir_server(tmp_path / "server") as server:
            ann = a.patients.register(a.session, patient("Okafor"))["id"]
            Vitals(a.store).record(a.session, ann, {"temperature": "37.20"})
            engine = a.sync_engine(SyncSettings(server.base_url))
            engine.transport.client.event_hooks["request"].append(
                lambda request: sent.append(request.read()))
            engine.run_once()
            engine.transport.close()
        assert any(b'"value":37.20,' in body for body in sent)
        assert engine.local.pending_count() == 0
        shown = {v.title: v.value for v in a.chart.summary(a.session, ann).latest_vitals}
        assert shown["Temperature"] == "37.20 °C"
    finally:
        a.store.close()
