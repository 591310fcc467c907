"""`packaging/build tuf-repo` and `tuf-keys` as IT runs them, and the policy's updates
section: each mistake is one sentence, and nothing is signed with the wrong keys."""

import json
import re
from datetime import UTC, datetime, timedelta
from importlib.resources import files

import pytest

from app.errors import UsageError
from app.security.policy import Policy
from tests.updates.repos import build, publish


def test_without_a_command_it_prints_its_usage():
    done = build()
    assert done.returncode == 2
    assert "usage: packaging/build COMMAND" in done.stderr
    assert "tuf-repo DIR" in done.stderr


def test_a_repository_is_refused_other_keys(tmp_path):
    repo = tmp_path / "repo"
    publish(repo, "1.0.0")
    assert build("tuf-keys", tmp_path / "other").returncode == 0
    done = build("tuf-repo", repo, "--artefact", tmp_path / "hearth-1.0.0-py3-none-any.whl",
                 "--version", "1.0.1", "--key-dir", tmp_path / "other")
    assert done.returncode == 1
    assert "The root key given is not one this repository's root trusts" in done.stderr
    assert not (repo / "targets" / "hearth" / "1.0.1").exists()


def test_keys_are_never_overwritten(tmp_path):
    assert build("tuf-keys", tmp_path / "keys").returncode == 0
    before = (tmp_path / "keys" / "root.pem").read_bytes()
    done = build("tuf-keys", tmp_path / "keys")
    assert done.returncode == 1
    assert "already holds signing keys; nothing was overwritten" in done.stderr
    assert (tmp_path / "keys" / "root.pem").read_bytes() == before


def test_refresh_extends_the_timestamp_by_the_days_asked(tmp_path):
    repo = tmp_path / "repo"
    publish(repo, "1.0.0")
    assert build("tuf-repo", repo, "--refresh", "--timestamp-days", "120").returncode == 0
    timestamp = json.loads((repo / "metadata" / "timestamp.json").read_text())["signed"]
    expires = datetime.fromisoformat(timestamp["expires"].replace("Z", "+00:00"))
    assert abs(expires - (datetime.now(UTC) + timedelta(days=120))) < timedelta(minutes=5)


def test_a_version_that_is_no_version_is_refused(tmp_path):
    (tmp_path / "a.whl").write_bytes(b"x")
    done = build("tuf-repo", tmp_path / "repo", "--artefact", tmp_path / "a.whl",
                 "--version", "next")
    assert done.returncode == 1
    assert "'next' is not a version number such as 0.2.0." in done.stderr


def open_default() -> bytes:
    return files("hearth_resources").joinpath("default-policy.json").read_bytes()


def test_the_packaged_policy_leaves_checking_off():
    assert Policy.default().updates.repository is None


@pytest.mark.parametrize(("updates", "sentence"), [
    ({"repo": "/media/usb"}, "Unknown policy updates setting(s): repo."),
    ({"repository": "ftp://mirror/hearth"}, "give a folder, or a URL beginning https://"),
    ({"check_every_hours": 0}, "updates.check_every_hours is 0; it must be a whole number"),
])
def test_a_wrong_updates_setting_is_named(updates, sentence):
    values = json.loads(open_default())
    values["updates"] = updates
    with pytest.raises(UsageError, match=re.escape(sentence)):
        Policy.from_json(json.dumps(values).encode())
