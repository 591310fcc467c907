"""The Debian package as IT uses it on a clean Debian 12: a silent install answered by a
preseed file, the program and its store working from /opt/hearth, an upgrade that keeps
the user's store and IT's edited policy, and a purge that leaves only the users' data."""

import json
import subprocess

import pytest

from tests.packaging.debian_chroot import CHROOT_ENV, build_deb, run, wait_for_line

SERVER = "https://fhir.clinic.test/R4"
PRESEED = f"""\
hearth hearth/sync_server string {SERVER}
hearth hearth/organization string Organization/clinic-7
hearth hearth/ca_bundle string /etc/ssl/certs/clinic-ca.pem
"""
DEMO_STORE = "/root/.local/share/Hearth/demo"


def silent_install(chroot, deb) -> subprocess.CompletedProcess:
    chroot.put(deb, "/tmp/hearth.deb")
    return chroot.sh("apt-get install -y -q --no-install-recommends /tmp/hearth.deb")


def policy(chroot) -> dict:
    return json.loads(chroot.path("/etc/hearth/policy.json").read_text())


def start_demo(chroot) -> subprocess.Popen:
    return subprocess.Popen(
        ["chroot", str(chroot.root), "hearth", "demo"], text=True, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**CHROOT_ENV, "QT_QPA_PLATFORM": "offscreen"})


def demo_runs(chroot, first_line: str) -> list[str]:
    """`hearth demo` offscreen: it opens the store and shows the window (alive 5 s later)."""
    demo = start_demo(chroot)
    try:
        lines = wait_for_line(demo, "Sign in as:", 600)
        assert lines[0].startswith(first_line), lines
        try:
            demo.wait(5)
        except subprocess.TimeoutExpired:
            pass
        assert demo.poll() is None, demo.stderr.read()
    finally:
        demo.terminate()
        demo.wait(10)
    return lines


@pytest.fixture(scope="module")
def installed(chroot, hearth_deb):
    """Hearth installed silently, the answers preseeded, the clinic's CA file in place."""
    chroot.path("/etc/ssl/certs").mkdir(parents=True, exist_ok=True)
    chroot.path("/etc/ssl/certs/clinic-ca.pem").write_text("clinic CA\n")
    chroot.path("/tmp/hearth.preseed").write_text(PRESEED)
    chroot.sh("debconf-set-selections /tmp/hearth.preseed")
    silent_install(chroot, hearth_deb)
    return chroot


def test_the_built_package_is_named_for_its_version_and_lintian_finds_no_error(hearth_deb):
    assert hearth_deb.name == "hearth_0.1.0_amd64.deb"
    fields = run(["dpkg-deb", "--field", str(hearth_deb), "Package", "Version"]).stdout
    assert fields.split() == ["Package:", "hearth", "Version:", "0.1.0"]
    found = run(["lintian", "--tag-display-limit", "0", str(hearth_deb)], check=False)
    lines = found.stdout.splitlines()
    assert found.returncode == 0 and not [line for line in lines if line.startswith("E:")], (
        found.stdout[-3000:])
    # Every warning, and every error the package overrides, is explained for IT.
    explained = (hearth_deb.parents[1] / "packaging/deb/README.md").read_text()
    overrides = (hearth_deb.parents[1] / "packaging/deb/lintian-overrides").read_text()
    tags = {line.split()[2] for line in lines if line.startswith("W:")} | {
        line.split()[1] for line in overrides.splitlines() if line.startswith("hearth:")}
    assert all(f"`{tag}`" in explained for tag in tags), found.stdout


def test_a_silent_install_writes_the_preseeded_answers_into_the_policy(installed):
    sync = policy(installed)["sync"]
    assert (sync["server"], sync["organization"], sync["ca_bundle"]) == (
        SERVER, "Organization/clinic-7", "/etc/ssl/certs/clinic-ca.pem")
    assert installed.sh("dpkg-query -W -f '${Conffiles}' hearth").stdout.split()[0] == (
        "/etc/hearth/policy.json")
    read_back = installed.sh("/opt/hearth/bin/python -c 'from app.security.policy import "
                             "Policy; print(Policy.system().sync.server)'")
    assert read_back.stdout.strip() == SERVER


def test_hearth_runs_from_the_package_and_the_demo_opens_its_encrypted_store(installed):
    assert installed.sh("hearth --version").stdout.strip() == "hearth 0.1.0"
    assert installed.path("/usr/share/applications/hearth.desktop").exists()
    lines = demo_runs(installed, "Building the demo clinic")
    assert any("no OS keyring here" in line for line in lines)  # a bare chroot has none
    header = installed.path(f"{DEMO_STORE}/hearth.db").read_bytes()[:16]
    assert header != b"SQLite format 3\x00"  # SQLCipher: not a plain SQLite file


def test_a_bad_preseeded_server_stops_the_configuration_with_a_sentence(installed):
    installed.sh("echo 'hearth hearth/sync_server string fhir.clinic.test' "
                 "| debconf-set-selections")
    done = installed.sh("dpkg-reconfigure -f noninteractive hearth", check=False)
    assert done.returncode != 0
    assert ("The sync server (hearth/sync_server) 'fhir.clinic.test' is not a web address"
            in done.stderr)
    assert policy(installed)["sync"]["server"] == SERVER  # the file is as it was
    installed.sh(f"echo 'hearth hearth/sync_server string {SERVER}' | debconf-set-selections"
                 " && dpkg-reconfigure -f noninteractive hearth")


def test_an_upgrade_keeps_the_users_store_and_it_s_edited_policy(installed):
    edited = policy(installed) | {"idle_lock_minutes": 3}
    installed.path("/etc/hearth/policy.json").write_text(json.dumps(edited, indent=2))
    installed.sh("rm -f /tmp/hearth.preseed && echo unchanged > /tmp/demo-was-here")
    silent_install(installed, build_deb("--version", "0.1.0+1"))
    assert installed.sh("dpkg-query -W -f '${Version}' hearth").stdout == "0.1.0+1"
    assert policy(installed) == edited
    assert not installed.sh("ls /etc/hearth").stdout.strip().count("\n")  # no .dpkg-dist
    demo_runs(installed, "Opening the demo clinic")  # the store made before the upgrade


def test_purge_removes_the_program_and_its_settings_but_never_a_users_store(installed):
    installed.sh("apt-get purge -y -q hearth")
    for gone in ("/opt/hearth", "/etc/hearth", "/usr/bin/hearth"):
        assert not installed.path(gone).exists(), gone
    assert installed.sh("debconf-show hearth").stdout == ""
    assert installed.path(f"{DEMO_STORE}/hearth.db").exists()
