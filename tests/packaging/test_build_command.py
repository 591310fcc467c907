"""packaging/build's answers to a mistyped command, before any work starts."""

import subprocess
from pathlib import Path

BUILD = Path(__file__).resolve().parents[2] / "packaging/build"


def build(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BUILD), *args], capture_output=True, text=True)


def test_an_unknown_artefact_is_named_with_the_usage():
    done = build("rpm")
    assert done.returncode == 2
    assert "no artefact called 'rpm'" in done.stderr and "packaging/build deb" in done.stderr


def test_apt_repo_needs_a_folder_and_a_whole_number_of_days():
    assert "name the repository folder" in build("apt-repo").stderr
    done = build("apt-repo", "/tmp/x", "--valid-for", "0")
    assert done.returncode == 2
    assert "--valid-for takes a whole number of days (1 or more), not '0'" in done.stderr


def test_deb_refuses_an_unknown_option():
    done = build("deb", "--release", "2")
    assert done.returncode == 2 and "unknown option '--release'" in done.stderr
