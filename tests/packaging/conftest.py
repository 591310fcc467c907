"""Fixtures of the packaging tests: the .deb built once per run and clean Debian chroots;
the frozen app built once per test session by the real `packaging/build frozen`."""

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.packaging.debian_chroot import DebianChroot, build_deb, skip_unless_able

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def hearth_deb():
    """dist/hearth_VERSION_amd64.deb from `packaging/build deb`."""
    skip_unless_able()
    return build_deb()


@pytest.fixture(scope="module")
def chroot(tmp_path_factory):
    """A clean Debian 12 minbase, as a new workstation."""
    skip_unless_able()
    machine = DebianChroot(tmp_path_factory.mktemp("debian12") / "root")
    yield machine
    machine.close()


@dataclass(frozen=True)
class FrozenApp:
    program: Path  # DIST/hearth/hearth
    build_seconds: float


@pytest.fixture(scope="session")
def frozen_app(tmp_path_factory) -> FrozenApp:
    if not sys.platform.startswith("linux"):
        pytest.skip("packaging/build frozen builds Linux's app; Windows and macOS build "
                    "theirs on native runners (packaging/windows, packaging/macos)")
    dist = tmp_path_factory.mktemp("dist")
    started = time.monotonic()
    built = subprocess.run([str(ROOT / "packaging/build"), "frozen", "--dist", str(dist)],
                           capture_output=True, text=True, timeout=900)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return FrozenApp(dist / "hearth" / "hearth", time.monotonic() - started)
