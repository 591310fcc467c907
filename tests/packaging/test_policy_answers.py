"""postinst's writer of IT's debconf answers (packaging/deb/policy_answers.py), run as postinst
runs it: only the three sync keys change, a bad answer is refused with a sentence naming the
question and the file is left as it was."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WRITER = REPO / "packaging/deb/policy_answers.py"
SERVER = "https://fhir.clinic.test/R4"


@pytest.fixture
def policy_file(tmp_path) -> Path:
    path = tmp_path / "policy.json"
    shutil.copy(REPO / "resources/default-policy.json", path)
    return path


def answer(policy_file, server="", organization="", ca_bundle=""):
    return subprocess.run([sys.executable, str(WRITER), str(policy_file), server,
                           organization, ca_bundle], capture_output=True, text=True)


def test_the_answers_go_into_the_sync_keys_and_every_other_setting_stays(policy_file):
    edited = json.loads(policy_file.read_text()) | {"idle_lock_minutes": 3}
    policy_file.write_text(json.dumps(edited))
    done = answer(policy_file, SERVER, "Organization/clinic-7", "")
    assert (done.returncode, done.stdout) == (0, "")  # stdout is debconf's
    written = json.loads(policy_file.read_text())
    assert written["sync"]["server"] == SERVER
    assert written["sync"]["organization"] == "Organization/clinic-7"
    assert written["sync"]["ca_bundle"] is None
    assert written | {"sync": edited["sync"]} == edited


def test_no_answers_leave_the_packaged_file_as_shipped(policy_file):
    shipped = policy_file.read_bytes()
    assert answer(policy_file).returncode == 0
    assert policy_file.read_bytes() == shipped


@pytest.mark.parametrize("server, organization, ca_bundle, said", [
    ("fhir.clinic.test", "", "", "The sync server (hearth/sync_server) 'fhir.clinic.test' is "
                                 "not a web address such as https://fhir.example.org/R4."),
    ("http://fhir.clinic.test/R4", "", "", "must be https:// (plain http:// only to this "
                                           "computer, for testing)."),
    (SERVER, "", "certs/ca.pem", "The CA bundle (hearth/ca_bundle) 'certs/ca.pem' must be a "
                                 "full path"),
])
def test_a_bad_answer_is_refused_with_a_sentence_and_the_file_is_unchanged(
        policy_file, server, organization, ca_bundle, said):
    before = policy_file.read_bytes()
    done = answer(policy_file, server, organization, ca_bundle)
    assert done.returncode == 1
    assert said in done.stderr and "dpkg-reconfigure hearth" in done.stderr
    assert policy_file.read_bytes() == before


def test_a_ca_bundle_not_there_yet_is_written_with_a_warning(policy_file):
    done = answer(policy_file, SERVER, "", "/etc/ssl/certs/not-yet.pem")
    assert done.returncode == 0
    assert "warning: the CA bundle /etc/ssl/certs/not-yet.pem" in done.stderr
    assert json.loads(policy_file.read_text())["sync"]["ca_bundle"] == (
        "/etc/ssl/certs/not-yet.pem")


def test_a_policy_file_that_is_not_json_is_named_and_kept(policy_file):
    policy_file.write_text("{ broken")
    done = answer(policy_file, SERVER)
    assert done.returncode == 1 and f"{policy_file} cannot be read as JSON" in done.stderr
    assert policy_file.read_text() == "{ broken"
