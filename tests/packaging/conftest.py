"""Fixtures of the Debian package tests: the .deb built once per run, and clean chroots."""

import pytest

from tests.packaging.debian_chroot import DebianChroot, build_deb, skip_unless_able


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
