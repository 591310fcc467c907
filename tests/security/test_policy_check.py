"""A policy file at fault is named by file, line and key, one sentence per fault, whether IT
runs `hearth policy check` or Hearth starts with it; a file sets only what it changes."""

import json

import pytest

from app.errors import PolicyRefused
from app.security.policy import Policy
from app.security.policy_check import check_policy_file

# Line 1 is the opening brace; each key below sits on the line its comment says.
BROKEN = """{
  "idle_lock_minutes": -5,
  "lockout_minuts": 10,
  "min_password_length": "12",
  "sync": {
    "server": "https://fhir.clinic.example/r4",
    "interval_seconds": 30.5
  },
  "vitals": {"units": "imperial"},
  "billing": {"npi": "1234567890", "state": "Illinois"}
}
"""


def written(tmp_path, text: str | bytes, name: str = "policy.json"):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def faults(tmp_path, text, **kw) -> list[str]:
    path = written(tmp_path, text)
    return [line.removeprefix(f"{path} ") for line in check_policy_file(path, **kw).faults]


def test_each_fault_names_its_line_and_key(tmp_path):
    assert faults(tmp_path, BROKEN) == [
        "line 2: idle_lock_minutes: -5 is less than the minimum of 1",
        "line 3: lockout_minuts: not a setting Hearth knows (did you mean lockout_minutes?)",
        "line 4: min_password_length: \"12\" is not a whole number",
        "line 7: sync.interval_seconds: 30.5 is not a whole number",
        "line 9: vitals.units: \"imperial\" is not one of \"metric\", \"us\"",
        "line 10: billing.state: \"Illinois\" is not in the form wanted: The state's two "
        "letters, e.g. IL.",
    ]


@pytest.mark.parametrize("text, fault", [
    ('{\n  "idle_lock_minutes": 5,\n}\n', "line 2 column 25: not JSON: trailing comma is "
                                         "not allowed"),
    ('{"idle_lock_minutes": NaN}', "line 1 column 23: not JSON: unexpected character, "
                                   "expected a JSON value"),
    ("", "line 1 column 1: not JSON: Input is a zero-length, empty document"),
    (b'{\n"billing": {"city": "K\xf6ln"}}', "line 2: byte 24 (0xf6) is not UTF-8 text; save "
                                             "the file as UTF-8"),
    ('["idle_lock_minutes", 5]', 'line 1: ["idle_lock_minutes",5] is not an object {...}'),
    ('{"sync": {"server": null},\n "sync": {"server": "https://a.example/fhir"}}',
     "line 2: sync: set a second time (first on line 1); give it once"),
    ('{"access": {"reasons": ["Emergency care",\n  "  "]}}',
     "line 2: access.reasons[1]: \"  \" is not in the form wanted: a reason in words, not "
     "blank."),
    ('{"kdf": {"memory_kib": 8}}', "line 1: kdf.memory_kib: 8 is less than the minimum of "
                                   "19456"),
])
def test_each_kind_of_bad_input_is_one_sentence(tmp_path, text, fault):
    assert faults(tmp_path, text) == [fault]


def test_an_npi_with_a_wrong_check_digit_is_caught_though_it_has_the_form(tmp_path):
    assert faults(tmp_path, '{"billing":\n {"npi": "1234567890"}}') == [
        'line 2: billing.npi: "1234567890" is not an NPI: its last digit is not the check '
        "digit of the first nine"]
    assert faults(tmp_path, '{"billing": {"npi": "1234567893"}}') == []


def test_a_sound_file_says_how_many_keys_it_sets(tmp_path):
    path = written(tmp_path, '\ufeff{"idle_lock_minutes": 3, "kdf": {"time_cost": 4},\n'
                             ' "mfa": {"required_roles": ["physician", "admin"]}}')
    result = check_policy_file(path)  # a byte order mark, as Notepad saves, is fine
    assert (result.faults, result.summary()) == ([], f"{path}: valid policy (3 keys set)")


def test_a_file_sets_only_what_it_changes_over_the_default(tmp_path, monkeypatch):
    system = written(tmp_path, '{"sync": {"server": "https://fhir.clinic.example/r4"}}')
    monkeypatch.setenv("HEARTH_SYSTEM_POLICY", str(system))
    policy = Policy.system()
    assert policy.sync.server == "https://fhir.clinic.example/r4"
    assert policy.sync.interval_seconds == 300 and policy.min_password_length == 8
    stricter = written(tmp_path, '{"idle_lock_minutes": 2}', "stricter.json")
    tightened = Policy.system_with(stricter)
    assert (tightened.idle_lock_minutes, tightened.sync.server) == (
        2, "https://fhir.clinic.example/r4")


def test_an_override_is_checked_against_this_computers_system_policy(tmp_path, monkeypatch):
    system = written(tmp_path, '{"idle_lock_minutes": 4}', "system.json")
    monkeypatch.setenv("HEARTH_SYSTEM_POLICY", str(system))
    text = '{"idle_lock_minutes": 3,\n "min_password_length": 8,\n "lockout_minutes": 5}'
    assert faults(tmp_path, text, as_override=True) == [
        "line 3: lockout_minutes: 5 would loosen IT's policy; --policy may only make it "
        f"stricter, so it must be at least 15 (the system policy: {system})"]
    assert faults(tmp_path, text) == []  # as IT's own file it is sound


def test_a_broken_system_file_stops_start_up_and_never_falls_back(tmp_path, monkeypatch):
    system = written(tmp_path, BROKEN, "system.json")
    monkeypatch.setenv("HEARTH_SYSTEM_POLICY", str(system))
    with pytest.raises(PolicyRefused) as refusal:
        Policy.system()
    assert refusal.value.message == (
        f"{system} line 2: idle_lock_minutes: -5 is less than the minimum of 1 (and 5 more: "
        f"hearth policy check {system} lists them).")


def test_max_change_is_replaced_whole_not_merged(tmp_path, monkeypatch):
    system = written(tmp_path, json.dumps({"vitals": {"max_change": {"weight": {"percent": 5}}}}))
    monkeypatch.setenv("HEARTH_SYSTEM_POLICY", str(system))
    assert Policy.system().vitals.max_change == {"weight": {"percent": 5}}
