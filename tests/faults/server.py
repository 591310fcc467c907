"""A SEKMET server that a campaign can kill and start again on the same port and data.

tests/sync/conftest.py starts a server per test and stops it at the end; a campaign also
kills it mid-run (SIGKILL, as a power cut, or SIGTERM, as a service restart) and starts it
again with the same data directory, which SEKMET keeps on disk (SQLite): what it had
acknowledged before the kill is there after the restart.
"""

import signal
import subprocess
import time
from pathlib import Path

import httpx

from tests.sync.conftest import FhirServer, free_port, sekmet


class RestartableServer:
    def __init__(self, root: Path):
        root.mkdir(parents=True, exist_ok=True)
        self.root = root
        port = free_port()
        base = f"http://127.0.0.1:{port}/fhir"
        (root / "settings.yaml").write_text(
            f'base_url: "{base}"\nhost: 127.0.0.1\nport: {port}\n'
            f'data_dir: "{root / "data"}"\nsimulator: {{enabled: false}}\n'
            'log_inbound: false\nvalidation: {inbound: "strict"}\n')
        self.info = FhirServer(base + "/", root / "server.log")
        self.base_url = self.info.base_url
        self._process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.info.log, "ab") as out:
            self._process = subprocess.Popen(
                [str(sekmet()), "serve", "--config", "settings.yaml"], cwd=self.root,
                stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"SEKMET exited: {self.info.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.base_url}metadata", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"SEKMET did not answer in 60 s: {self.info.log.read_text()[-2000:]}")

    def restart(self, how: signal.Signals) -> None:
        """Stop it with `how` (SIGKILL or SIGTERM) and start it again on the same data."""
        self.stop(how)
        self.start()

    def stop(self, how: signal.Signals = signal.SIGTERM) -> None:
        if self._process is None:
            return
        self._process.send_signal(how)
        try:
            self._process.wait(15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(5)
        self._process = None

    def __enter__(self) -> "RestartableServer":
        self.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()
