"""The signed apt repository, from a client workstation that trusts only its key
(signed-by): it installs Hearth silently from it, and refuses a package or a Release that
was altered on the way, a repository signed by another key, and an old Release replayed
after its Valid-Until."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging.debian_chroot import REPO, run

BUILD = str(REPO / "packaging/build")
KEYRING = "/usr/share/keyrings/hearth-archive-keyring.gpg"


def publish(repo: Path, *options: str) -> Path:
    run([BUILD, "apt-repo", str(repo), *options], cwd=REPO)
    return repo


def another_key(folder: Path) -> Path:
    """A signing key the client has never been given."""
    home = folder / "gnupg"
    home.mkdir(mode=0o700)
    gpg = ["gpg", "--homedir", str(home), "--batch", "--passphrase", ""]
    run([*gpg, "--quick-generate-key", "Someone else <else@example.invalid>", "ed25519",
         "sign", "never"])
    key = folder / "other.secret.asc"
    key.write_bytes(run([*gpg, "--armor", "--export-secret-keys"]).stdout.encode())
    run(["gpgconf", "--homedir", str(home), "--kill", "all"])
    return key


@pytest.fixture(scope="module")
def served(hearth_deb, tmp_path_factory):
    """Repositories under one folder served on 127.0.0.1: the good one, altered copies, one
    signed by another key, and one signed 30 days ago for 7 days (an old Release)."""
    top = tmp_path_factory.mktemp("served")
    good = publish(top / "good")
    shutil.copytree(good, top / "tampered-package")
    deb = next((top / "tampered-package/pool").rglob("*.deb"))
    with deb.open("r+b") as package:  # one byte changed, the size the Packages file says
        package.seek(deb.stat().st_size // 2)
        byte = package.read(1)
        package.seek(-1, 1)
        package.write(bytes([byte[0] ^ 0xFF]))
    shutil.copytree(good, top / "tampered-release")
    for name in ("InRelease", "Release"):
        release = top / "tampered-release/dists/bookworm" / name
        release.write_text(release.read_text().replace("Label: Hearth", "Label: Hearty"))
    publish(top / "other-key", "--key", str(another_key(tmp_path_factory.mktemp("key"))))
    run(["faketime", "-f", "-30d", BUILD, "apt-repo", str(top / "old"), "--valid-for", "7"],
        cwd=REPO)
    server = subprocess.Popen([sys.executable, "-u", "-m", "http.server", "--bind",
                               "127.0.0.1", "0", "--directory", str(top)],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    port = server.stdout.readline().split(" port ")[1].split()[0]
    yield f"http://127.0.0.1:{port}", good / "hearth-archive-keyring.gpg"
    server.terminate()
    server.wait(10)


@pytest.fixture(scope="module")
def client(chroot, served):
    """The workstation, given only the repository's public key."""
    shutil.copy(served[1], chroot.path(KEYRING))
    return chroot


@pytest.fixture(scope="module")
def url(served):
    return served[0]


def update_from(client, url: str) -> subprocess.CompletedProcess:
    client.path("/etc/apt/sources.list.d/hearth.list").write_text(
        f"deb [signed-by={KEYRING}] {url} bookworm main\n")
    return client.sh("apt-get update 2>&1", check=False)


def test_the_client_installs_hearth_silently_from_the_signed_repository(client, url):
    assert update_from(client, f"{url}/good").returncode == 0
    client.sh("echo 'hearth hearth/sync_server string https://fhir.clinic.test/R4' "
              "| debconf-set-selections")
    client.sh("apt-get install -y -q --no-install-recommends hearth")
    assert client.sh("hearth --version").stdout.strip() == "hearth 0.1.0"
    assert '"server": "https://fhir.clinic.test/R4"' in client.path(
        "/etc/hearth/policy.json").read_text()


def test_an_altered_package_is_refused(client, url):
    assert update_from(client, f"{url}/tampered-package").returncode == 0
    done = client.sh("apt-get clean && apt-get install -y -q --reinstall --download-only "
                     "hearth 2>&1", check=False)
    assert done.returncode != 0 and "Hash Sum mismatch" in done.stdout, done.stdout


def test_an_altered_release_file_is_refused(client, url):
    done = update_from(client, f"{url}/tampered-release")
    assert done.returncode != 0 and "BADSIG" in done.stdout, done.stdout
    assert "is not signed" in done.stdout


def test_a_repository_signed_by_another_key_is_refused(client, url):
    done = update_from(client, f"{url}/other-key")
    assert done.returncode != 0 and "NO_PUBKEY" in done.stdout, done.stdout


def test_an_old_release_replayed_after_its_valid_until_is_refused(client, url):
    done = update_from(client, f"{url}/old")
    assert done.returncode != 0 and "is expired" in done.stdout, done.stdout
