"""A clean Debian 12 (minbase) chroot per test module, as a workstation IT installs Hearth on.

debootstrap runs once per machine: its tree, with apt's package lists, is kept as a tarball in
.cache/packaging/ (HEARTH_PACKAGING_CACHE elsewhere), and each module unpacks a fresh copy.
The .debs apt downloads into the chroots are kept there too, so Hearth's dependencies come
from the Debian mirror only the first time. Needs root (chroot, mount) and debootstrap; the
fixtures skip with that reason where either is missing.
"""

import os
import queue
import shutil
import subprocess
import tarfile
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("HEARTH_PACKAGING_CACHE") or REPO / ".cache" / "packaging")
MIRROR = "http://deb.debian.org/debian"
TARBALL = CACHE / "debian12-minbase.tar"
ARCHIVES = CACHE / "apt-archives"
# What a test run inside the chroot sees: no host variables (the venv, the keyring bus).
CHROOT_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root", "LANG": "C.UTF-8",
              "DEBIAN_FRONTEND": "noninteractive"}


def skip_unless_able() -> None:
    if os.geteuid() != 0:
        pytest.skip("the Debian package tests need root (chroot, mount): CI runs as root")
    for tool in ("debootstrap", "dpkg-deb", "lintian", "reprepro", "gpg", "faketime"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed: .ci/run installs it (apt-get install "
                        "debootstrap reprepro gnupg faketime lintian)")


def minbase_tarball() -> Path:
    """Debian 12 minbase with apt's lists, made once; services never start inside it."""
    if TARBALL.exists():
        return TARBALL
    CACHE.mkdir(parents=True, exist_ok=True)
    tree = CACHE / "debootstrap-tree"
    shutil.rmtree(tree, ignore_errors=True)
    run(["debootstrap", "--variant=minbase", "bookworm", str(tree), MIRROR])
    policy_rc = tree / "usr/sbin/policy-rc.d"
    policy_rc.write_text("#!/bin/sh\nexit 101\n")
    policy_rc.chmod(0o755)
    run(["chroot", str(tree), "apt-get", "update", "-qq"], env=CHROOT_ENV)
    run(["chroot", str(tree), "apt-get", "clean"], env=CHROOT_ENV)
    partial = TARBALL.with_suffix(".partial")
    run(["tar", "-C", str(tree), "--numeric-owner", "-cf", str(partial), "."])
    partial.rename(TARBALL)
    shutil.rmtree(tree)
    return TARBALL


class DebianChroot:
    """A fresh copy of the cached minbase at `root`, with /proc mounted and apt's download
    folder shared with the cache; close() unmounts both."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True)
        with tarfile.open(minbase_tarball()) as tar:
            tar.extractall(root, filter="fully_trusted")
        shutil.copy("/etc/resolv.conf", root / "etc/resolv.conf")
        ARCHIVES.mkdir(parents=True, exist_ok=True)
        (ARCHIVES / "partial").mkdir(exist_ok=True)
        self._mounts = []
        self._mount(["-t", "proc", "proc"], root / "proc")
        self._mount(["--bind", str(ARCHIVES)], root / "var/cache/apt/archives")

    def _mount(self, how: list[str], where: Path) -> None:
        run(["mount", *how, str(where)])
        self._mounts.append(where)

    def sh(self, script: str, check: bool = True, timeout: float = 900,
           **env: str) -> subprocess.CompletedProcess:
        """`script` run by /bin/sh inside the chroot, as root; output as text."""
        done = subprocess.run(["chroot", str(self.root), "/bin/sh", "-c", script],
                              env={**CHROOT_ENV, **env}, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)
        if check and done.returncode:
            raise AssertionError(f"in the chroot, `{script}` ended with {done.returncode}:\n"
                                 f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return done

    def put(self, source: Path, inside: str) -> str:
        shutil.copy(source, self.root / inside.lstrip("/"))
        return inside

    def path(self, inside: str) -> Path:
        return self.root / inside.lstrip("/")

    def close(self) -> None:
        for where in reversed(self._mounts):
            subprocess.run(["umount", "--lazy", str(where)], check=False)
        self._mounts.clear()
        shutil.rmtree(self.root, ignore_errors=True)


def run(command: list[str], check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if check and done.returncode:
        raise AssertionError(f"`{' '.join(command)}` ended with {done.returncode}:\n"
                             f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


def build_deb(*options: str) -> Path:
    """packaging/build deb, as IT runs it; the path of the .deb it wrote."""
    done = run([str(REPO / "packaging/build"), "deb", *options], cwd=REPO)
    return REPO / done.stdout.strip().splitlines()[-1]


def wait_for_line(process: subprocess.Popen, wanted: str, seconds: float) -> list[str]:
    """Lines of `process`'s stdout up to the one containing `wanted`; fails after `seconds`
    or when the process ends first, with what it printed."""
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line.rstrip("\n")) for line in process.stdout]
                     + [lines.put(None)], daemon=True).start()
    seen, deadline = [], time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        if wanted in line:
            return seen
    process.kill()
    raise AssertionError(f"no line with {wanted!r} within {seconds:.0f} s; got:\n"
                         + "\n".join(seen) + "\n" + process.stderr.read())
