"""Where each policy value came from: IT's file names itself, the rest is the default, and a
value tightened by --policy says so."""

from dataclasses import replace

import orjson

from app.security.policy import Policy
from app.security.policy_sources import DEFAULT, STRICTER, settings, value_text


def it_file(tmp_path):
    path = tmp_path / "policy.json"
    path.write_bytes(orjson.dumps({
        "failed_logins_before_lock": 4, "lockout_minutes": 15, "idle_lock_minutes": 5,
        "min_password_length": 10,
        "kdf": {"time_cost": 3, "memory_kib": 65536, "parallelism": 4},
        "sync": {"server": "https://fhir.clinic.example/r4"}}))
    return path


def test_values_name_it_file_or_the_default(tmp_path):
    path = it_file(tmp_path)
    found = {s.key: s for s in settings(Policy.from_file(path), path)}
    assert found["sync.server"].source == f"IT's system file {path}"
    assert value_text(found["sync.server"].value) == "https://fhir.clinic.example/r4"
    assert found["min_password_length"].value == 10
    assert found["results.overdue_days"].source == DEFAULT
    assert found["vitals.max_change.systolic.absolute"].source == DEFAULT
    assert value_text(found["sync.client_id"].value) == "not set"


def test_a_tightened_value_is_the_stricter_files(tmp_path):
    path = it_file(tmp_path)
    stricter = replace(Policy.from_file(path), idle_lock_minutes=2)
    found = {s.key: s for s in settings(stricter, path)}
    assert found["idle_lock_minutes"].source == STRICTER
    assert found["lockout_minutes"].source == f"IT's system file {path}"


def test_without_a_system_file_everything_is_default(monkeypatch):
    monkeypatch.delenv("HEARTH_SYSTEM_POLICY", raising=False)
    assert {s.source for s in settings(Policy.default(), None)} == {DEFAULT}
