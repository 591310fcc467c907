"""The security policy comes from IT: a system file, floors no file can go below, and a
`--policy` that may only tighten it. A refused policy is one sentence naming the setting."""

import json
import re
from pathlib import Path

import pytest

from app.errors import UsageError
from app.security.policy import Policy, system_policy_path
from tests.cli.test_cli import hearth, refused, store  # noqa: F401 (fixtures)
from tests.conftest import ADMIN_PASSWORD

# The attack of issue 11: no lockout, a one-character password, an 8 KiB argon2id wrap.
WEAK = {"failed_logins_before_lock": 1000, "lockout_minutes": 0, "min_password_length": 1,
        "kdf": {"time_cost": 1, "memory_kib": 8, "parallelism": 1}}


def policy(tmp_path: Path, base: Path, name: str = "override.json", **changes) -> Path:
    """A copy of the policy file `base` with `changes` (kdf given whole), as a file."""
    path = tmp_path / name
    path.write_text(json.dumps({**json.loads(base.read_text()), **changes}))
    return path


def test_the_weak_policy_of_the_attack_is_refused_and_nothing_is_created(
        hearth, policy_file, tmp_path, store):
    weak = policy(tmp_path, policy_file, "weak.json", **WEAK)
    result = hearth("--policy", str(weak), "init", "--admin", "admin", password="x")
    assert refused(result, 2) == (
        f"hearth: Policy file refused: {weak} line 1: failed_logins_before_lock: 1000 is "
        f"greater than the maximum of 20 (and 4 more: hearth policy check --as-override {weak} "
        "lists them).")
    assert not store.exists()


@pytest.mark.parametrize("setting, value, allowed", [
    ("min_password_length", 7, "8 to 128"),
    ("lockout_minutes", 0, "1 to 10,080"),
    ("failed_logins_before_lock", 21, "1 to 20"),
    ("kdf.time_cost", 2**31 - 1, "2 to 10"),
    ("kdf.time_cost", 1, "2 to 10"),
    ("kdf.memory_kib", 8, "19,456 to 4,194,304"),
    ("kdf.memory_kib", 2**40, "19,456 to 4,194,304"),
    ("kdf.parallelism", 0, "1 to 16"),
])
def test_every_policy_file_meets_the_floors_and_ceilings(
        policy_file, tmp_path, setting, value, allowed):
    values = json.loads(policy_file.read_text())
    if setting.startswith("kdf."):
        values["kdf"][setting[4:]] = value
    else:
        values[setting] = value
    with pytest.raises(UsageError) as refusal:
        Policy.from_json(json.dumps(values).encode(), "policy.json")
    assert refusal.value.message == (
        f"The policy policy.json sets {setting} to {value}; Hearth allows {allowed}.")


def test_a_setting_of_the_wrong_type_is_named(policy_file):
    values = {**json.loads(policy_file.read_text()), "failed_logins_before_lock": "5"}
    with pytest.raises(UsageError) as refusal:
        Policy.from_json(json.dumps(values).encode(), "policy.json")
    assert refusal.value.message == ("The policy policy.json sets failed_logins_before_lock "
                                     "to '5'; it must be a whole number.")


def test_the_system_policy_floors_apply_to_its_own_file(policy_file, tmp_path, monkeypatch):
    slow = policy(tmp_path, policy_file, "system.json",
                  kdf={"time_cost": 2**31 - 1, "memory_kib": 65536, "parallelism": 4})
    monkeypatch.setenv("HEARTH_SYSTEM_POLICY", str(slow))
    with pytest.raises(UsageError, match="line 1: kdf.time_cost: 2147483647 is greater than "
                                         "the maximum of 10"):
        Policy.system()


def test_the_system_policy_rules_the_cli(hearth, policy_file, tmp_path, store):
    """IT asks for 12 characters; the CLI, given no --policy, holds to it."""
    strict = policy(tmp_path, policy_file, "system.json", min_password_length=12)
    result = hearth("init", "--admin", "admin", password="eleven char",
                    env={"HEARTH_SYSTEM_POLICY": str(strict)})
    refused(result, 2, "too short: use at least 12 characters")
    assert not store.exists()


def test_a_stricter_policy_is_taken(policy_file, tmp_path, monkeypatch):
    monkeypatch.setenv("HEARTH_SYSTEM_POLICY", str(policy_file))
    stricter = policy(tmp_path, policy_file, min_password_length=16, lockout_minutes=60,
                      kdf={"time_cost": 4, "memory_kib": 131072, "parallelism": 2})
    taken = Policy.system_with(stricter)
    assert (taken.min_password_length, taken.lockout_minutes, taken.kdf.memory_kib) == (
        16, 60, 131072)


@pytest.mark.parametrize("changes, sentence", [
    ({"failed_logins_before_lock": 4}, "failed_logins_before_lock: 4 would loosen IT's "
                                       "policy; --policy may only make it stricter, so it "
                                       "must be at most 3"),
    ({"lockout_minutes": 14}, "lockout_minutes: 14 would loosen IT's policy; --policy may only "
                              "make it stricter, so it must be at least 15"),
    ({"idle_lock_minutes": 6}, "idle_lock_minutes: 6 would loosen"),
    ({"kdf": {"time_cost": 3, "memory_kib": 32768, "parallelism": 4}},
     "kdf.memory_kib: 32768 would loosen"),
    ({"sync": {"server": "https://rogue.example.org/fhir"}},
     "sync.server: \"https://rogue.example.org/fhir\" would loosen IT's policy; --policy may "
     "only make it stricter, so it must be the same as IT's (null)"),
])
def test_a_looser_policy_is_refused_naming_the_setting(
        policy_file, tmp_path, monkeypatch, changes, sentence):
    system = policy(tmp_path, policy_file, "system.json",
                    kdf={"time_cost": 3, "memory_kib": 65536, "parallelism": 4})
    monkeypatch.setenv("HEARTH_SYSTEM_POLICY", str(system))
    looser = policy(tmp_path, system, **changes)
    with pytest.raises(UsageError) as refusal:
        Policy.system_with(looser)
    assert refusal.value.message.startswith(f"{looser} line 1: ")
    assert sentence in refusal.value.message
    assert refusal.value.message.endswith(f"(the system policy: {system}).")


def test_the_system_policy_lives_where_only_it_can_write(monkeypatch):
    assert str(system_policy_path("linux")) == "/etc/hearth/policy.json"
    assert str(system_policy_path("darwin")) == "/Library/Application Support/Hearth/policy.json"
    assert str(system_policy_path("win32")) == r"C:\ProgramData\Hearth\policy.json"
    monkeypatch.delenv("HEARTH_SYSTEM_POLICY", raising=False)
    assert Policy.system() == Policy.default()  # no IT file on a test machine


def test_signing_in_under_a_loosening_policy_is_refused_before_the_store_opens(
        hearth, policy_file, tmp_path):
    ok_init = hearth("init", "--admin", "admin", password=ADMIN_PASSWORD)
    assert ok_init.returncode == 0, ok_init.stderr
    looser = policy(tmp_path, policy_file, failed_logins_before_lock=20)
    refused(hearth("--policy", str(looser), "--user", "admin", "user", "list",
                   password=ADMIN_PASSWORD), 2, "failed_logins_before_lock: 20 would loosen")


def test_a_local_policy_may_ask_more_of_the_second_factor_never_less(
        policy_file, tmp_path, monkeypatch):
    mfa = {"required_roles": ["admin"], "at_sign_in": True, "at_unlock": "password",
           "shift_hours": 12, "at_signing": "password"}
    system = policy(tmp_path, policy_file, "system.json", mfa=mfa)
    monkeypatch.setenv("HEARTH_SYSTEM_POLICY", str(system))
    stricter = policy(tmp_path, system, "stricter.json", mfa={
        **mfa, "required_roles": ["admin", "physician"], "at_signing": "code", "shift_hours": 8})
    assert Policy.system_with(stricter).mfa.required_roles == ("admin", "physician")

    for looser, sentence in [({"required_roles": []}, 'at least IT\'s ["admin"]'),
                             ({"at_sign_in": False}, "true or stricter"),
                             ({"at_unlock": "password", "shift_hours": 24}, "at most 12")]:
        with pytest.raises(UsageError, match=re.escape(sentence)):
            Policy.system_with(policy(tmp_path, system, mfa={**mfa, **looser}))
