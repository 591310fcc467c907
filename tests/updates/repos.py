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


def publish(repo: Path, version: str, content: bytes | None = None) -> Path:
    """Publish an artefact holding `content` as Hearth `version`; the artefact's path."""
    artefact = repo.parent / f"hearth-{version}-py3-none-any.whl"
    artefact.write_bytes(content or f"Hearth {version} ".encode() * 1000)
    done = build("tuf-repo", repo, "--artefact", artefact, "--version", version)
    assert done.returncode == 0, done.stderr
    return artefact


def published_file(repo: Path, version: str) -> Path:
    """The artefact of `version` as the repository holds it (HASH.NAME)."""
    return next((repo / "targets" / "hearth" / version).iterdir())


def resign_timestamp(repo: Path, expires: datetime) -> None:
    """The timestamp signed again with the real timestamp key, expiring at `expires` (a
    publisher who let it lapse)."""
    path = repo / "metadata" / "timestamp.json"
    timestamp = Metadata[Timestamp].from_file(str(path))
    key = serialization.load_pem_private_key((TEST_KEYS / "timestamp.pem").read_bytes(), None)
    timestamp.signed.expires = expires
    timestamp.signed.version += 1
    timestamp.signatures.clear()
    timestamp.sign(CryptoSigner(key, SSlibKey.from_crypto(key.public_key())))
    timestamp.to_file(str(path), JSONSerializer(compact=False))
