"""A real FHIR R4 server for sync tests: SEKMET, in a virtual environment of its own.

SEKMET pins libraries that clash with ours, so the fixture installs it once into
.cache/sekmet-<version> (from PyPI, like any dependency) and starts it on a free port on
127.0.0.1 with a generated settings.yaml; it stops it with SIGTERM at the end.
`start_fhir_server` starts one with extra settings (sign-in, TLS) for the tests that need
them; `fhir_server` is shared by the session, `fresh_fhir_server` is empty for each test.
"""

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
VENV = Path(__file__).resolve().parents[2] / ".cache" / f"sekmet-{SEKMET_VERSION}"


@dataclass(frozen=True)
class FhirServer:
    base_url: str  # ends in /fhir/
    log: Path


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
