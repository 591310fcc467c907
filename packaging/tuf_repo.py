"""Hearth's TUF update repository: made, added to and re-signed with python-tuf's Metadata API.

`packaging/build tuf-repo DIR` adds this build to the repository at DIR (made if new) and
re-signs targets, snapshot and timestamp; `packaging/build tuf-keys DIR` makes a set of
signing keys. The layout is what app.updates reads, from a directory, a USB stick or a web
server alike:

    DIR/metadata/  1.root.json (N.root.json after each rotation), root.json, N.targets.json,
                   N.snapshot.json, timestamp.json (consistent snapshots: a mirror copied
                   while it is being published still serves one whole publication)
    DIR/targets/   hearth/VERSION/HASH.ARTEFACT, hearth/HASH.latest.json (which is newest)

Expiry is set in days, long by default because an offline clinic may see the repository
only when a USB stick arrives: the timestamp lasts 30 days, the snapshot 90, targets a year,
root ten (docs/updates.md). Keys are ed25519 PEM files named after their role.
"""

import argparse
import json
import shutil
import subprocess
import sys
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from packaging.version import InvalidVersion, Version
from securesystemslib.signer import CryptoSigner, SSlibKey
from tuf.api.metadata import (
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

PROJECT = Path(__file__).resolve().parent.parent
TEST_KEYS = PROJECT / "packaging" / "test-keys"
ROLES = ("root", "targets", "snapshot", "timestamp")
DAYS = {"root": 3650, "targets": 365, "snapshot": 90, "timestamp": 30}
LATEST = "hearth/latest.json"  # the target naming the newest version and its artefact


class Refused(Exception):
    """A sentence for the publisher: what is wrong and what to do."""


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    try:
        args.run(args)
    except Refused as exc:
        print(f"packaging/build: {exc}", file=sys.stderr)
        return 1
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="packaging/build")
    commands = top.add_subparsers(required=True, metavar="COMMAND")
    keys = commands.add_parser("keys", prog="packaging/build tuf-keys",
                               help="make a new set of signing keys")
    keys.add_argument("dir", type=Path, metavar="DIR")
    keys.set_defaults(run=lambda args: make_keys(args.dir))
    publish = commands.add_parser("publish", prog="packaging/build tuf-repo",
                                  help="add this build to the TUF repository at DIR")
    publish.add_argument("dir", type=Path, metavar="DIR")
    publish.add_argument("--artefact", type=Path, metavar="FILE",
                         help="the file to publish (default: dist/hearth_V_amd64.deb if "
                              "built, else the wheel `pip wheel . --no-deps` makes)")
    publish.add_argument("--version", help="its Hearth version (default: pyproject.toml's)")
    publish.add_argument("--key-dir", type=Path, default=TEST_KEYS, metavar="KEYS",
                         help="signing keys (default: packaging/test-keys, for tests only)")
    publish.add_argument("--refresh", action="store_true",
                         help="publish nothing new: only re-sign snapshot and timestamp "
                              "(before the timestamp expires)")
    for role in ROLES:
        publish.add_argument(f"--{role}-days", type=positive_days, default=DAYS[role],
                             metavar="DAYS", help=f"{role} expiry (default {DAYS[role]})")
    publish.set_defaults(run=publish_build)
    return top


def positive_days(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 36500:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of days, 1 to 36500")
    return int(text)


def make_keys(folder: Path) -> None:
    if any((folder / f"{role}.pem").exists() for role in ROLES):
        raise Refused(f"{folder} already holds signing keys; nothing was overwritten.")
    folder.mkdir(parents=True, exist_ok=True)
    for role in ROLES:
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())
        path = folder / f"{role}.pem"
        path.write_bytes(pem)
        path.chmod(0o600)
    print(f"Made root, targets, snapshot and timestamp keys in {folder}. Keep root.pem "
          "offline; it is needed only to make a repository or rotate keys.")


def signers(folder: Path, roles=ROLES) -> dict[str, CryptoSigner]:
    found = {}
    for role in roles:
        path = folder / f"{role}.pem"
        if not path.exists():
            raise Refused(f"No {role} key at {path}; make a set with: packaging/build "
                          "tuf-keys DIR")
        found[role] = signer(path)
    return found


def signer(path: Path) -> CryptoSigner:
    try:
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as exc:
        raise Refused(f"Cannot read the key {path}: {exc.strerror}.") from None
    except (ValueError, TypeError):
        raise Refused(f"{path} is not an unencrypted PEM private key.") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise Refused(f"{path} is not an ed25519 key (make one with packaging/build tuf-keys).")
    return CryptoSigner(private, SSlibKey.from_crypto(private.public_key()))


def publish_build(args) -> None:
    keys = signers(args.key_dir)
    repo = Repository(args.dir, keys, {role: getattr(args, f"{role}_days") for role in ROLES})
    if args.refresh:
        repo.resign()
        print(f"Re-signed {args.dir}: the timestamp now expires {repo.timestamp_expiry}.")
        return
    version = args.version or project_version()
    try:
        Version(version)
    except InvalidVersion:
        raise Refused(f"'{version}' is not a version number such as 0.2.0.") from None
    artefact = args.artefact or built_artefact(version)
    if not artefact.is_file():
        raise Refused(f"No artefact at {artefact}.")
    path = repo.add(artefact, version)
    print(f"Published Hearth {version} ({artefact.name}) to {args.dir} as {path}; newest is "
          f"{repo.newest}; the timestamp expires {repo.timestamp_expiry}.")


def project_version() -> str:
    return tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]["version"]


def built_artefact(version: str) -> Path:
    """The .deb of this version if it was built, else a wheel built now."""
    deb = PROJECT / "dist" / f"hearth_{version}_amd64.deb"
    if deb.is_file():
        return deb
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(PROJECT), "--no-deps",
                    "--quiet", "-w", str(PROJECT / "dist")], check=True)
    return PROJECT / "dist" / f"hearth-{version}-py3-none-any.whl"


class Repository:
    """One TUF repository on disk, made on first use, every role signed with `keys`."""

    def __init__(self, folder: Path, keys: dict[str, CryptoSigner], days: dict[str, int]):
        self.metadata, self.targets_dir = folder / "metadata", folder / "targets"
        self.keys, self.days = keys, days
        if (self.metadata / "root.json").exists():
            self.root = Metadata[Root].from_file(str(self.metadata / "root.json"))
            self._check_keys()
            self.timestamp = Metadata[Timestamp].from_file(str(self.metadata / "timestamp.json"))
            self.snapshot = self._load(Snapshot, self.timestamp.signed.snapshot_meta.version)
            self.targets = self._load(Targets, self.snapshot.signed.meta["targets.json"].version)
        else:
            self._create()

    @property
    def timestamp_expiry(self) -> str:
        return self.timestamp.signed.expires.strftime("%Y-%m-%d %H:%M UTC")

    @property
    def newest(self) -> str:
        return str(max(self._versions(), default="none"))

    def add(self, artefact: Path, version: str) -> str:
        """Publish `artefact` as Hearth `version` and re-sign; the repository path of it."""
        path = f"hearth/{version}/{artefact.name}"
        info = TargetFile.from_file(path, str(artefact))
        info.unrecognized_fields["custom"] = {"hearth_version": version}
        self._store(info, artefact)
        self.targets.signed.targets[path] = info
        newest = max(self._versions())
        latest = next(t for t in self.targets.signed.targets.values()
                      if Version(_version_of(t) or "0") == newest)
        text = json.dumps({"version": str(newest), "artefact": latest.path}).encode()
        staged = self.targets_dir / "latest.json.new"
        staged.parent.mkdir(parents=True, exist_ok=True)
        staged.write_bytes(text)
        pointer = TargetFile.from_file(LATEST, str(staged))
        self._store(pointer, staged)
        staged.unlink()
        self.targets.signed.targets[LATEST] = pointer
        self._sign_targets()
        return path

    def resign(self) -> None:
        self._sign_snapshot()

    def replace_key(self, role: str, new: CryptoSigner) -> Path:
        """Trust `new` instead of `role`'s key from a new root version on, and re-sign what
        `role` signs with it; the new root's file. TUF's rule for the root role itself: the
        new root is signed by the retiring root key (so a workstation that trusts the old
        root accepts it) and by the new one (so the new root vouches for itself); every
        older N.root.json stays, so a workstation many rotations behind walks them in turn."""
        previous = Metadata[Root].from_bytes(self.root.to_bytes())
        root = self.root.signed
        for keyid in list(root.roles[role].keyids):
            root.revoke_key(keyid, role)
        root.add_key(new.public_key, role)
        root.version += 1
        root.expires = self._expiry("root")
        self.root.signatures.clear()
        self.root.sign(self.keys["root"], append=True)
        self.keys[role] = new
        if role == "root":
            self.root.sign(new, append=True)
        previous.verify_delegate(Root.type, self.root)  # python-tuf's own check, as a client
        self.root.verify_delegate(Root.type, self.root)
        name = f"{root.version}.root.json"
        self._write(self.root, name)
        self._write(self.root, "root.json")
        resign = {"root": lambda: None, "targets": self._sign_targets,
                  "snapshot": self._sign_snapshot, "timestamp": self._sign_timestamp}
        resign[role]()
        return self.metadata / name

    def key_users(self) -> dict[str, str]:
        """Every key id any root version of this repository has trusted: the first root
        file that names it."""
        users = {}
        for path in sorted(self.metadata.glob("*.root.json"),
                           key=lambda p: int(p.name.split(".")[0])):
            for keyid in Metadata[Root].from_file(str(path)).signed.keys:
                users.setdefault(keyid, path.name)
        return users

    def _versions(self) -> list[Version]:
        return [Version(v) for t in self.targets.signed.targets.values()
                if (v := _version_of(t))]

    def _store(self, info: TargetFile, source: Path) -> None:
        digest = next(iter(info.hashes.values()))
        folder, _, name = info.path.rpartition("/")
        destination = self.targets_dir / folder / f"{digest}.{name}"
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)

    def _create(self) -> None:
        self.metadata.mkdir(parents=True, exist_ok=True)
        self.root = Metadata(Root(expires=self._expiry("root"), consistent_snapshot=True))
        for role in ROLES:
            self.root.signed.add_key(self.keys[role].public_key, role)
        self.root.sign(self.keys["root"])
        self._write(self.root, "1.root.json")
        self._write(self.root, "root.json")
        self.targets, self.snapshot = Metadata(Targets()), Metadata(Snapshot())
        self.timestamp = Metadata(Timestamp())
        self._sign_targets()

    def _check_keys(self) -> None:
        for role in self.keys:
            keyid = self.keys[role].public_key.keyid
            if keyid not in self.root.signed.roles[role].keyids:
                raise Refused(f"The {role} key given is not one this repository's root trusts "
                              f"for {role}; use the repository's own keys (--key-dir).")

    def _sign_targets(self) -> None:
        self._bump(self.targets, "targets")
        self._write(self.targets, f"{self.targets.signed.version}.targets.json")
        self._sign_snapshot()

    def _sign_snapshot(self) -> None:
        self.snapshot.signed.meta["targets.json"] = MetaFile(self.targets.signed.version)
        self._bump(self.snapshot, "snapshot")
        self._write(self.snapshot, f"{self.snapshot.signed.version}.snapshot.json")
        self._sign_timestamp()

    def _sign_timestamp(self) -> None:
        self.timestamp.signed.snapshot_meta = MetaFile(self.snapshot.signed.version)
        self._bump(self.timestamp, "timestamp")
        self._write(self.timestamp, "timestamp.json")

    def _bump(self, metadata: Metadata, role: str) -> None:
        if metadata.signatures:  # a new role's first version is 1
            metadata.signed.version += 1
        metadata.signed.expires = self._expiry(role)
        metadata.signatures.clear()
        metadata.sign(self.keys[role])

    def _expiry(self, role: str) -> datetime:
        return datetime.now(UTC).replace(microsecond=0) + timedelta(days=self.days[role])

    def _load(self, kind, version: int) -> Metadata:
        return Metadata[kind].from_file(
            str(self.metadata / f"{version}.{kind.type}.json"))

    def _write(self, metadata: Metadata, name: str) -> None:
        """Written beside and renamed over, so a reader never sees half a file."""
        partial = self.metadata / f".{name}.partial"
        metadata.to_file(str(partial), JSONSerializer(compact=False))
        partial.replace(self.metadata / name)


def _version_of(target: TargetFile) -> str | None:
    return target.unrecognized_fields.get("custom", {}).get("hearth_version")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
