"""`hearth policy check FILE` and `hearth --version` as IT runs them: real processes; and a
broken policy stopping every command with the file, line and key at fault."""

import json
import subprocess
import sys
from importlib.metadata import version

from tests.cli.test_cli import hearth, refused, store  # noqa: F401 (fixtures)
from tests.conftest import ADMIN_PASSWORD

BROKEN = '{\n  "idle_lock_minutes": -5,\n  "sync": {"servr": "https://a.example/fhir"}\n}\n'


def test_version_prints_the_installed_version():
    done = subprocess.run([sys.executable, "-m", "app", "--version"], capture_output=True,
                          text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"hearth {version('hearth')}\n",
                                                           "")


def test_a_sound_file_is_valid_and_says_how_many_keys_it_sets(hearth, tmp_path):
    path = tmp_path / "clinic.json"
    path.write_text('{"sync": {"server": "https://fhir.clinic.example/r4"},\n'
                    ' "idle_lock_minutes": 3}')
    done = hearth("policy", "check", str(path))
    assert (done.returncode, done.stdout) == (0, f"{path}: valid policy (2 keys set)\n")


def test_each_fault_is_a_line_and_the_exit_is_bad_input(hearth, tmp_path):
    path = tmp_path / "policy.json"
    path.write_text(BROKEN)
    done = hearth("policy", "check", str(path))
    assert done.returncode == 2
    assert done.stdout.splitlines() == [
        f"{path} line 2: idle_lock_minutes: -5 is less than the minimum of 1",
        f"{path} line 3: sync.servr: not a setting Hearth knows (did you mean server?)"]
    as_json = json.loads(hearth("policy", "check", "--json", str(path)).stdout)
    assert (as_json["valid"], len(as_json["faults"])) == (False, 2)


def test_a_missing_file_is_one_sentence(hearth, tmp_path):
    done = hearth("policy", "check", str(tmp_path / "nowhere.json"))
    assert (done.returncode, done.stdout) == (
        2, f"{tmp_path / 'nowhere.json'}: cannot be read: No such file or directory\n")


def test_the_check_works_while_the_system_policy_is_the_broken_file(hearth, tmp_path):
    system = tmp_path / "system.json"
    system.write_text(BROKEN)
    done = hearth("policy", "check", str(system), env={"HEARTH_SYSTEM_POLICY": str(system)})
    assert done.returncode == 2 and "line 2: idle_lock_minutes" in done.stdout


def test_an_override_that_loosens_is_named_by_line(hearth, tmp_path, policy_file):
    looser = tmp_path / "looser.json"
    looser.write_text('{"idle_lock_minutes": 4,\n "failed_logins_before_lock": 10}')
    done = hearth("policy", "check", "--as-override", str(looser))
    assert done.stdout.splitlines() == [
        f"{looser} line 2: failed_logins_before_lock: 10 would loosen IT's policy; --policy "
        f"may only make it stricter, so it must be at most 3 (the system policy: "
        f"{policy_file})"]


def test_a_broken_system_policy_stops_every_command_naming_line_and_key(hearth, tmp_path,
                                                                         store):
    system = tmp_path / "system.json"
    system.write_text(BROKEN)
    result = hearth("init", "--admin", "admin", password=ADMIN_PASSWORD,
                    env={"HEARTH_SYSTEM_POLICY": str(system)})
    assert refused(result, 2) == (
        f"hearth: Policy file refused: {system} line 2: idle_lock_minutes: -5 is less than the "
        f"minimum of 1 (and 1 more: hearth policy check {system} lists them).")
    assert not store.exists()
