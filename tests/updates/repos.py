"""Update repositories for the tests, made by the real `packaging/build tuf-repo` in a tmp
folder and signed with packaging/test-keys, which the shipped trusted root names."""

import os
import subprocess
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from securesystemslib.signer import CryptoSigner, SSlibKey
from tuf.api.metadata import Metadata, Timestamp
from tuf.api.serialization.json import JSONSerializer

PROJECT = Path(__file__).resolve().parents[2]
BUILD = PROJECT / "packaging" / "build"
TEST_KEYS = PROJECT / "packaging" / "test-keys"


def build(*args: str | Path) -> subprocess.CompletedProcess:
    """`packaging/build ARGS`, run as IT runs it; its output and exit status."""
    return subprocess.run([str(BUILD), *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, "HEARTH_PYTHON": str(PROJECT / ".venv/bin/python")})


def publish(repo: Path, version: str, content: bytes | None = None,
            key_dir: Path = TEST_KEYS) -> Path:
    """Publish an artefact holding `content` as Hearth `version`; the artefact's path."""
    artefact = repo.parent / f"hearth-{version}-py3-none-any.whl"
    artefact.write_bytes(content or f"Hearth {version} ".encode() * 1000)
    done = build("tuf-repo", repo, "--artefact", artefact, "--version", version,
                 "--key-dir", key_dir)
    assert done.returncode == 0, done.stderr
    return artefact


def published_file(repo: Path, version: str) -> Path:
    """The artefact of `version` as the repository holds it (HASH.NAME)."""
    return next((repo / "targets" / "hearth" / version).iterdir())


def resign_timestamp(repo: Path, expires: datetime | None = None, version: int | None = None,
                     key: Path = TEST_KEYS / "timestamp.pem") -> None:
    """The timestamp signed again with `key` (the real timestamp key unless named), expiring
    at `expires` (a publisher who let it lapse) and numbered `version` (default: the next)."""
    path = repo / "metadata" / "timestamp.json"
    timestamp = Metadata[Timestamp].from_file(str(path))
    timestamp.signed.expires = expires or timestamp.signed.expires
    timestamp.signed.version = version or timestamp.signed.version + 1
    timestamp.signatures.clear()
    timestamp.sign(signer(key))
    timestamp.to_file(str(path), JSONSerializer(compact=False))


def signed_only_by(repo: Path, role: str, key: Path) -> None:
    """The newest `role` metadata of `repo` with its signatures replaced by one from `key`
    (as someone holding only that key would make it), content and version unchanged."""
    newest = max((repo / "metadata").glob(f"*.{role}.json"),
                 key=lambda p: int(p.name.split(".")[0]), default=None)
    path = newest or repo / "metadata" / f"{role}.json"
    metadata = Metadata.from_file(str(path))
    metadata.signatures.clear()
    metadata.sign(signer(key))
    metadata.to_file(str(path), JSONSerializer(compact=False))


def signer(path: Path) -> CryptoSigner:
    key = serialization.load_pem_private_key(path.read_bytes(), None)
    return CryptoSigner(key, SSlibKey.from_crypto(key.public_key()))
