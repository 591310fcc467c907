"""Real FHIR R4 servers for sync tests: SEKMET, and Medplum's in-memory FHIR router.

SEKMET pins libraries that clash with ours, so the fixture installs it once into
.cache/sekmet-<version> (from PyPI, like any dependency) and starts it on a free port on
127.0.0.1 with a generated settings.yaml; it stops it with SIGTERM at the end.
`start_fhir_server` starts one with extra settings (sign-in, TLS) for the tests that need
them; `fhir_server` is shared by the session, `fresh_fhir_server` is empty for each test.

The second implementation (tests/sync/medplum/server.mjs) keeps no history at all, as some
servers in the field do; `npm ci` installs it once into .cache/medplum-<version> from the
committed lock file. `any_fhir_server` runs a test against each, empty for that test.
"""

import json
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.sync.stations import workstation

SEKMET_VERSION = "0.1.1"
CACHE = Path(__file__).resolve().parents[2] / ".cache"
VENV = CACHE / f"sekmet-{SEKMET_VERSION}"
MEDPLUM_SOURCE = Path(__file__).resolve().parent / "medplum"
MEDPLUM_VERSION = json.loads((MEDPLUM_SOURCE / "package.json").read_text())[
    "dependencies"]["@medplum/fhir-router"]
MEDPLUM = CACHE / f"medplum-{MEDPLUM_VERSION}"


@dataclass(frozen=True)
class FhirServer:
    base_url: str  # ends in /fhir/
    log: Path
    history: bool = True  # whether changes, deletes included, can be read back as history


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sekmet() -> Path:
    exe = VENV / "bin" / "sekmet"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "--quiet",
                        f"sekmet-fhir=={SEKMET_VERSION}"], check=True, timeout=900)
    return exe


@contextmanager
def start_fhir_server(root: Path, *, extra_yaml: str = "",
                      tls: tuple[Path, Path] | None = None) -> Iterator[FhirServer]:
    """A SEKMET server with its data in `root`, stopped on leaving the block.

    `extra_yaml` is appended to settings.yaml (a key given there overrides the default one,
    e.g. `server_auth`); `tls` is (certificate chain, private key) to serve HTTPS.
    """
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"{'https' if tls else 'http'}://127.0.0.1:{port}/fhir"
    settings = (
        f'base_url: "{base}"\nhost: 127.0.0.1\nport: {port}\ndata_dir: "{root / "data"}"\n'
        'simulator: {enabled: false}\nlog_inbound: false\nvalidation: {inbound: "strict"}\n')
    if tls:
        settings += f'tls_certfile: "{tls[0]}"\ntls_keyfile: "{tls[1]}"\n'
    (root / "settings.yaml").write_text(settings + extra_yaml)
    log = root / "server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen([str(sekmet()), "serve", "--config", "settings.yaml"],
                                  cwd=root, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(base, server, log)
        yield FhirServer(base + "/", log)
    finally:
        _stop(server)


def medplum() -> Path:
    """The Medplum server script, its packages installed by `npm ci` from the committed lock
    file (again whenever that file changes)."""
    lock = (MEDPLUM_SOURCE / "package-lock.json").read_bytes()
    installed = MEDPLUM / "installed-package-lock.json"
    if not installed.exists() or installed.read_bytes() != lock:
        if shutil.which("npm") is None:
            pytest.fail("npm is not installed: run .ci/run, which installs Debian's nodejs and "
                        "npm")
        MEDPLUM.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy2(MEDPLUM_SOURCE / name, MEDPLUM / name)
        subprocess.run(["npm", "ci", "--prefix", str(MEDPLUM), "--no-audit", "--no-fund",
                        "--loglevel=error"], check=True, timeout=900)
        installed.write_bytes(lock)
    shutil.copy2(MEDPLUM_SOURCE / "server.mjs", MEDPLUM / "server.mjs")  # beside node_modules
    return MEDPLUM / "server.mjs"


@contextmanager
def start_medplum_server(root: Path) -> Iterator[FhirServer]:
    """Medplum's in-memory FHIR router, empty, stopped on leaving the block."""
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}/fhir"
    log = root / "server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(["node", str(medplum()), "--port", str(port)], cwd=root,
                                  stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(base, server, log)
        yield FhirServer(base + "/", log, history=False)
    finally:
        _stop(server)


def _stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        server.kill()


@pytest.fixture(scope="session")
def fhir_server(tmp_path_factory) -> Iterator[FhirServer]:
    with start_fhir_server(tmp_path_factory.mktemp("fhir-server")) as server:
        yield server


@pytest.fixture
def fresh_fhir_server(tmp_path) -> Iterator[FhirServer]:
    """An empty server of this test's own, for tests that count what reaches the server."""
    with start_fhir_server(tmp_path / "fhir-server") as server:
        yield server


@pytest.fixture(params=["sekmet", "medplum"])
def any_fhir_server(request, tmp_path) -> Iterator[FhirServer]:
    """An empty server of this test's own, once per implementation: SEKMET, which keeps
    history, and Medplum's in-memory router, which keeps none."""
    start = start_fhir_server if request.param == "sekmet" else start_medplum_server
    with start(tmp_path / f"{request.param}-server") as server:
        yield server


def _wait_until_up(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the FHIR server exited: {log.read_text()[-2000:]}")
        try:
            # Only whether it answers: trusting a test certificate is the tests' business.
            if httpx.get(f"{base}/metadata", timeout=2, verify=False).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"the FHIR server did not answer /metadata in 90 s: {log.read_text()[-2000:]}")


@pytest.fixture
def a(env, tmp_path):
    """Workstation A: its own store, a physician signed in."""
    ws = workstation(env, tmp_path / "a")
    yield ws
    ws.store.close()


@pytest.fixture
def b(env, tmp_path):
    """Workstation B, syncing with the same server as A."""
    ws = workstation(env, tmp_path / "b")
    yield ws
    ws.store.close()
