"""The update channel as IT and a clinic meet it: `hearth update check|stage` against real
repositories made by `packaging/build tuf-repo`, the real files then tampered with. A valid
update is staged in the store's folder; every attack is refused with a sentence and nothing
is staged."""

import json
import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from app.cli.commands import main
from app.security.updates_policy import UpdatesPolicy
from app.store.activity import NOTE_DRAFT, SYNC, Activity
from app.updates.channel import this_version
from tests.updates.repos import publish, published_file, resign_timestamp

NEWER = "99.0.0"  # newer than the Hearth under test, whatever its version


@pytest.fixture
def repo(tmp_path):
    return tmp_path / "repo"


@pytest.fixture
def update(admin, env, store_dir, repo, capsys):
    """`hearth update ACTION` on the admin fixture's store with the policy naming `repo`:
    (exit status, stdout, stderr)."""
    policy = replace(env.policy, updates=UpdatesPolicy(repository=str(repo)))

    def run(action: str, *extra: str):
        status = main(["--store", str(store_dir), *extra, "update", action],
                      replace(env, policy=policy))
        out = capsys.readouterr()
        return status, out.out, out.err

    return run


def staged_files(store_dir):
    return [p for p in (store_dir / "updates" / "staged").rglob("*") if p.is_file()]


def test_a_newer_version_is_offered_then_staged_verified(update, repo, store_dir):
    artefact = publish(repo, NEWER)
    status, out, _ = update("check")
    assert status == 0
    assert f"This is Hearth {this_version()}." in out
    assert f"Hearth {NEWER} is available" in out
    status, out, _ = update("stage")
    assert status == 0
    staged = store_dir / "updates" / "staged" / NEWER / artefact.name
    assert f"Staged and verified: {staged}" in out
    assert staged.read_bytes() == artefact.read_bytes()


def test_check_as_json_names_both_versions(update, repo):
    publish(repo, NEWER)
    status, out, _ = update("check", "--json")
    assert status == 0
    assert json.loads(out) | {"timestamp_expires": None} == {
        "installed": this_version(), "newest": NEWER, "newer": True, "repository": str(repo),
        "timestamp_expires": None, "warning": None}


def test_no_repository_in_the_policy_says_checking_is_off(admin, env, store_dir, capsys):
    assert main(["--store", str(store_dir), "update", "check"], env) == 6
    assert "names no update repository (updates.repository)" in capsys.readouterr().err


def test_a_usb_stick_not_mounted_is_named(update, repo):
    status, _, err = update("check")
    assert status == 6
    assert f"The update repository {repo} is not there (is the USB stick plugged in" in err


def test_a_tampered_artefact_is_refused(update, repo, store_dir):
    publish(repo, NEWER)
    target = published_file(repo, NEWER)
    target.write_bytes(target.read_bytes()[:-5] + b"EVIL!")
    status, _, err = update("stage")
    assert status == 6
    assert "is not the one its signed metadata describes" in err
    assert staged_files(store_dir) == []


def test_tampered_metadata_is_refused(update, repo, store_dir):
    publish(repo, NEWER)
    targets = max((repo / "metadata").glob("*.targets.json"))
    metadata = json.loads(targets.read_text())
    for info in metadata["signed"]["targets"].values():
        info["length"] += 1  # a bigger file slipped in
    targets.write_text(json.dumps(metadata))
    status, _, err = update("stage")
    assert status == 6
    assert "has targets metadata not signed by the keys this workstation trusts" in err
    assert staged_files(store_dir) == []


def test_an_older_version_than_this_one_is_never_staged(update, repo, store_dir):
    publish(repo, "0.0.1")
    status, out, _ = update("check")
    assert status == 0
    assert "Hearth never goes back to an older version" in out
    status, _, err = update("stage")
    assert status == 6
    assert f"Hearth {this_version()} is newer than the repository's newest (0.0.1)" in err
    assert staged_files(store_dir) == []


def test_an_expired_timestamp_is_refused(update, repo, store_dir):
    publish(repo, NEWER)
    resign_timestamp(repo, datetime.now(UTC) - timedelta(days=1))
    status, _, err = update("stage")
    assert status == 6
    assert "has an expired timestamp signature" in err
    assert staged_files(store_dir) == []


def test_a_replayed_old_timestamp_is_refused_as_a_freeze_attack(update, repo, store_dir):
    publish(repo, "0.0.1")
    old_timestamp = (repo / "metadata" / "timestamp.json").read_bytes()
    publish(repo, NEWER)
    assert update("check")[0] == 0  # the workstation has seen the newer publication
    (repo / "metadata" / "timestamp.json").write_bytes(old_timestamp)
    status, _, err = update("stage")
    assert status == 6
    assert "offers older timestamp metadata than this workstation has already seen" in err
    assert staged_files(store_dir) == []


def test_a_whole_older_publication_replayed_is_refused(update, repo, tmp_path):
    publish(repo, "0.0.1")
    shutil.copytree(repo, tmp_path / "first")
    publish(repo, NEWER)
    assert update("check")[0] == 0
    shutil.rmtree(repo)
    shutil.copytree(tmp_path / "first", repo)  # a mirror serving last month's copy
    status, _, err = update("check")
    assert status == 6
    assert "older timestamp metadata" in err


@pytest.mark.parametrize(("busy", "sentence"), [
    (SYNC, "A sync is running on this store; stage the update once it has finished"),
    (NOTE_DRAFT, "A note draft is open on this store; stage the update once it is signed"),
])
def test_staging_waits_for_a_sync_or_an_open_note(update, repo, store_dir, busy, sentence):
    publish(repo, NEWER)
    with Activity(store_dir).hold(busy):
        status, _, err = update("stage")
    assert status == 6
    assert sentence in err
    assert staged_files(store_dir) == []
    assert update("stage")[0] == 0  # once it is over


def test_an_expiry_close_at_hand_is_warned_of(update, repo):
    publish(repo, NEWER)
    resign_timestamp(repo, datetime.now(UTC) + timedelta(days=2))
    status, out, _ = update("check")
    assert status == 0
    assert "The update repository's signature expires" in out
