"""The frozen app as IT ships it: the program PyInstaller built (tests/packaging/conftest.py),
run as a process with nothing of the developer's venv, checked for what a person sees: its
version, the demo's sign-in window painted offscreen, and a store made, filled and printed
from (SQLCipher, the OS keyring, fhirkit's validation, reportlab), the PDF read back."""

import json
import os
import subprocess
from importlib.metadata import version
from pathlib import Path

import pdfplumber

from tests.cli.test_first_run import LAST_HINT, nothing_left, read_until, stop
from tests.perf import bench_frozen

ROOT = Path(__file__).resolve().parents[2]
ROSA = {"resourceType": "Patient", "id": "rosa", "birthDate": "1961-07-14",
        "name": [{"family": "Ruiz", "given": ["Rosa"]}]}
METFORMIN = {"resourceType": "MedicationRequest", "id": "metformin", "status": "active",
             "intent": "order", "subject": {"reference": "Patient/rosa"},
             "authoredOn": "2026-01-05",
             "medicationCodeableConcept": {"text": "Metformin 500 mg tablet"},
             "dosageInstruction": [{"text": "1 tablet twice daily"}]}
NO_STATUS = {"resourceType": "Observation", "id": "weight", "code": {"text": "Weight"},
             "subject": {"reference": "Patient/rosa"}}


def fresh_env(tmp_path, **more: str) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", **more}


def test_the_frozen_app_prints_its_version(frozen_app, tmp_path):
    done = subprocess.run([str(frozen_app.program), "--version"], env=fresh_env(tmp_path),
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, f"hearth {version('hearth')}\n")


def test_started_without_a_console_the_frozen_app_still_works_and_answers(frozen_app,
                                                                         tmp_path):
    """As Windows starts the windowed hearth.exe: no standard output or error at all."""
    broken = tmp_path / "policy.json"
    broken.write_text('{"idle_lock_minutes": 5')

    def status(*args: str) -> int:
        return subprocess.run([str(frozen_app.program), *args], env=fresh_env(tmp_path),
                              preexec_fn=without_console, timeout=60).returncode

    assert status("policy", "check", str(ROOT / "packaging/policy/policy-template.json")) == 0
    assert status("policy", "check", str(broken)) == 2


def without_console() -> None:
    os.close(1)
    os.close(2)


def test_without_a_display_the_frozen_demo_says_how_to_run_it(frozen_app, tmp_path):
    done = subprocess.run([str(frozen_app.program), "demo"], env=fresh_env(tmp_path),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 8
    assert done.stderr.strip().endswith(f"xvfb-run -a {frozen_app.program} demo")


def test_the_frozen_demo_paints_its_sign_in_window_offscreen(frozen_app, tmp_path,
                                                             policy_file):
    env = fresh_env(tmp_path, QT_QPA_PLATFORM="offscreen",
                    HEARTH_SYSTEM_POLICY=str(policy_file),
                    QT_LOGGING_RULES="qt.widgets.painting.debug=true")
    demo = subprocess.Popen([str(frozen_app.program), "demo"], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        printed = read_until(demo, bench_frozen.PAINTED, seconds=300)
        assert demo.poll() is None, "the window closed by itself"
    finally:
        stop(demo)
    assert nothing_left(demo.pid)
    assert "of WorkstationWindow(" in printed.splitlines()[-1]  # the sign-in window, painted
    assert "Building the demo clinic" in printed and LAST_HINT in printed
    assert "Traceback" not in printed


def test_the_frozen_app_makes_a_store_imports_and_prints_a_pdf(frozen_app, tmp_path,
                                                               keyring_session, policy_file):
    bundle = tmp_path / "rosa.json"
    bundle.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": ROSA}, {"resource": METFORMIN}, {"resource": NO_STATUS}]}))
    env = {**keyring_session, "HEARTH_STORE": str(tmp_path / "store"),
           "HEARTH_SYSTEM_POLICY": str(policy_file), "HEARTH_PASSWORD": "admin password 1",
           "HEARTH_NEW_PASSWORD": "doctor password 1"}

    def hearth(*args: str, **more: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(frozen_app.program), *args], env={**env, **more},
                              capture_output=True, text=True, timeout=120)

    assert hearth("init", "--admin", "ada").returncode == 0
    assert hearth("--user", "ada", "user", "add", "--role", "physician", "lee").returncode == 0
    imported = hearth("--user", "ada", "import", str(bundle))
    pdf = tmp_path / "medications.pdf"
    printed = hearth("--user", "lee", "print", "rosa", "medications", "--output", str(pdf),
                     HEARTH_PASSWORD="doctor password 1")

    assert imported.stdout.splitlines() == [  # fhirkit's validation, native code, at work
        "Imported 2 resources, 0 already there, 1 skipped.",
        f"  skipped {bundle} entry 2: Observation.status: required element missing"]
    assert printed.returncode == 0, printed.stderr
    with pdfplumber.open(pdf) as document:
        said = " ".join(document.pages[0].extract_text().split())
    assert said.startswith("Medication list Ruiz, Rosa · born 1961-07-14")
    assert "Metformin 500 mg tablet 1 tablet twice daily 2026-01-05" in said
    assert (tmp_path / "store" / "hearth.db").read_bytes()[:16] != b"SQLite format 3\0"


def test_the_start_up_benchmark_times_the_frozen_app_beside_the_venv(frozen_app,
                                                                     keyring_session,
                                                                     capsys):
    bench_frozen.main(["--program", str(frozen_app.program), "--runs", "1"])
    result = json.loads(capsys.readouterr().out)
    assert set(result["startup_to_sign_in_painted_ms"]) == {"frozen", "venv_hearth",
                                                            "qt_floor"}
    assert result["size_mb"] > 50 and result["files"] > 100


def test_an_option_the_build_does_not_know_is_named():
    done = subprocess.run([str(ROOT / "packaging/build"), "frozen", "--onefile"],
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (
        2, "packaging/build frozen: unknown option '--onefile' (only --dist DIR).\n")
