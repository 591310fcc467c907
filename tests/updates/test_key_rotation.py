"""Replacing a signing key of the update repository (`packaging/build tuf-rotate`) as IT does
after a key is lost, stolen or expires, met by the real client (`hearth update`) on a
workstation that trusts the repository's first root, as IT deploys it: the workstation
follows the new root versions and takes the next update; metadata signed only by the retired
key is refused with a sentence; a workstation fooled by a stolen key recovers."""

import shutil
from dataclasses import replace

import pytest

from app.cli.commands import main
from app.security.updates_policy import UpdatesPolicy
from tests.updates.repos import TEST_KEYS, build, publish, resign_timestamp, signed_only_by

ROLES = ("root", "targets", "snapshot", "timestamp")
NEWER = "99.0.0"


@pytest.fixture
def keys(tmp_path):
    """The repository's own key folder (a copy of the test keys: rotating changes it)."""
    folder = tmp_path / "keys"
    folder.mkdir()
    for role in ROLES:
        shutil.copy(TEST_KEYS / f"{role}.pem", folder)
    return folder


@pytest.fixture
def repo(tmp_path, keys):
    """A repository with Hearth 0.0.1, whose first root the workstation trusts."""
    repo = tmp_path / "repo"
    publish(repo, "0.0.1", key_dir=keys)
    shutil.copy(repo / "metadata" / "1.root.json", tmp_path / "update-root.json")
    return repo


@pytest.fixture
def update(admin, env, store_dir, repo, tmp_path, capsys):
    """`hearth update ACTION` with the policy naming `repo` and its first root as trusted:
    (exit status, stdout, stderr)."""
    updates = UpdatesPolicy(repository=str(repo),
                            trusted_root=str(tmp_path / "update-root.json"))
    policy = replace(env.policy, updates=updates)

    def run(action: str):
        status = main(["--store", str(store_dir), "update", action], replace(env, policy=policy))
        out = capsys.readouterr()
        return status, out.out, out.err

    return run


def rotate(repo, keys, role, *more):
    done = build("tuf-rotate", repo, "--role", role, "--key-dir", keys, *more)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("role", ROLES)
def test_after_a_rotation_the_workstation_takes_the_next_update(update, repo, keys, role):
    assert update("check")[0] == 0  # it has seen the repository under root version 1
    said = rotate(repo, keys, role)
    assert f"Rotated the {role} key of {repo}: root version 2 (2.root.json" in said
    publish(repo, NEWER, key_dir=keys)
    status, out, err = update("stage")
    assert status == 0, err
    assert f"updates/staged/{NEWER}/" in out


def test_a_workstation_several_rotations_behind_walks_every_root_version(update, repo, keys):
    for role in ROLES:
        rotate(repo, keys, role)
    publish(repo, NEWER, key_dir=keys)
    assert sorted(p.name for p in (repo / "metadata").glob("*.root.json")) == [
        f"{n}.root.json" for n in range(1, 6)]
    status, out, err = update("stage")  # from the root version 1 it was given
    assert status == 0, err
    assert f"updates/staged/{NEWER}/" in out


@pytest.mark.parametrize("role", ROLES)
def test_metadata_signed_only_by_the_retired_key_is_refused(update, repo, keys, role):
    rotate(repo, keys, role)
    publish(repo, NEWER, key_dir=keys)
    signed_only_by(repo, role, keys / "retired" / f"{role}.until-root-2.pem")
    status, _, err = update("stage")
    assert status == 6
    assert f"has {role} metadata not signed by the keys this workstation trusts" in err


def test_a_workstation_fooled_with_a_stolen_timestamp_key_recovers_after_rotation(
        update, repo, keys):
    # The thief serves a timestamp numbered far ahead: the workstation cannot tell it apart.
    genuine = (repo / "metadata" / "timestamp.json").read_bytes()
    resign_timestamp(repo, version=1_000_000, key=keys / "timestamp.pem")
    assert update("check")[0] == 0
    (repo / "metadata" / "timestamp.json").write_bytes(genuine)  # the thief's mirror gone
    publish(repo, NEWER, key_dir=keys)
    assert "older timestamp metadata than this workstation has already seen" in (
        update("stage")[2])  # the real timestamps now look like a replay
    rotate(repo, keys, "timestamp")
    status, _, err = update("stage")
    assert status == 0, err


def test_publishing_with_the_retired_keys_is_refused_by_name(repo, keys, tmp_path):
    shutil.copytree(keys, tmp_path / "old-keys")
    rotate(repo, keys, "targets")
    done = build("tuf-repo", repo, "--artefact", tmp_path / "hearth-0.0.1-py3-none-any.whl",
                 "--version", "0.0.2", "--key-dir", tmp_path / "old-keys")
    assert done.returncode == 1
    assert "The targets key given is not one this repository's root trusts" in done.stderr


def test_a_key_the_repository_ever_trusted_is_refused_as_the_new_one(repo, keys):
    rotate(repo, keys, "snapshot")
    retired = keys / "retired" / "snapshot.until-root-2.pem"
    done = build("tuf-rotate", repo, "--role", "snapshot", "--key-dir", keys, "--key", retired)
    assert done.returncode == 1
    assert (f"The key {retired} was already trusted by this repository (1.root.json); a "
            "rotation needs a key never used here.") in done.stderr
    assert not (repo / "metadata" / "3.root.json").exists()


def test_a_lost_targets_key_is_replaced_with_the_one_given(update, repo, keys, tmp_path):
    (keys / "targets.pem").unlink()
    assert build("tuf-keys", tmp_path / "fresh").returncode == 0
    said = rotate(repo, keys, "targets", "--key", tmp_path / "fresh" / "targets.pem")
    assert "Re-signed targets, snapshot and timestamp." in said and "retired" not in said
    assert (keys / "targets.pem").read_bytes() == (tmp_path / "fresh/targets.pem").read_bytes()
    publish(repo, NEWER, key_dir=keys)
    assert update("stage")[0] == 0


def test_a_lost_root_key_cannot_be_rotated_and_says_what_to_do(repo, keys):
    (keys / "root.pem").unlink()
    done = build("tuf-rotate", repo, "--role", "root", "--key-dir", keys)
    assert done.returncode == 1
    assert "a lost root key cannot be rotated" in done.stderr
    assert not (repo / "metadata" / "2.root.json").exists()


def test_a_rotation_must_name_its_key_folder(repo):
    done = build("tuf-rotate", repo, "--role", "timestamp")  # never the test keys in the tree
    assert done.returncode == 2
    assert "the following arguments are required: --key-dir" in done.stderr
