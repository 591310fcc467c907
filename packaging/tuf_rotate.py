"""Replacing a lost, stolen or expiring signing key of Hearth's TUF update repository.

`packaging/build tuf-rotate DIR --role ROLE --key-dir KEYS [--key FILE]` writes a new root
version that trusts a new ROLE key instead of the old one, signed as TUF requires (by the
root key; for the root role by the retiring AND the new root key), and re-signs what ROLE
signs with the new key. Workstations follow the chain of root versions from the one they
trust, so they accept the new key and refuse anything signed with the old one from then on.

The key folder stays one complete set, as `tuf-repo` reads it: the new key becomes
KEYS/ROLE.pem (generated there, or a copy of --key) and the old file, if there is one, moves
to KEYS/retired/ROLE.until-root-N.pem, never deleted by this program (docs/updates.md says
when to destroy it). Rotating a lost targets, snapshot or timestamp key needs only the other
keys; the root key can only be rotated with the old root key (a lost root key means a new
trusted root on every workstation).
"""

import argparse
import shutil
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from tuf_repo import DAYS, ROLES, Refused, Repository, positive_days, signer, signers


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    try:
        print(rotate(args))
    except Refused as exc:
        print(f"packaging/build: {exc}", file=sys.stderr)
        return 1
    return 0


def parser() -> argparse.ArgumentParser:
    rotation = argparse.ArgumentParser(
        prog="packaging/build tuf-rotate",
        description="Replace one signing key of the TUF repository at DIR.")
    rotation.add_argument("dir", type=Path, metavar="DIR")
    rotation.add_argument("--role", required=True, choices=ROLES,
                          help="whose key to replace")
    rotation.add_argument("--key", type=Path, metavar="FILE",
                          help="the new key, an ed25519 PEM file (default: one made now)")
    rotation.add_argument("--key-dir", type=Path, required=True, metavar="KEYS",
                          help="the repository's keys; the new one is written there")
    for role in ROLES:
        rotation.add_argument(f"--{role}-days", type=positive_days, default=DAYS[role],
                              metavar="DAYS", help=f"{role} expiry (default {DAYS[role]})")
    return rotation


def rotate(args) -> str:
    role, keys = args.role, args.key_dir
    if not (args.dir / "metadata" / "root.json").exists():
        raise Refused(f"No TUF repository at {args.dir} (no metadata/root.json); make one "
                      "with: packaging/build tuf-repo DIR")
    if not (keys / "root.pem").exists():
        raise Refused(f"The root key signs every new root version and {keys / 'root.pem'} "
                      "is missing: a lost root key cannot be rotated. Make new keys and a new "
                      "repository, and give every workstation its new 1.root.json as "
                      "updates.trusted_root (docs/updates.md, \"A lost or stolen key\").")
    # The old key of a role other than root may be lost: everything else must be present.
    needed = ROLES if role == "root" else tuple(r for r in ROLES if r != role)
    repo = Repository(args.dir, signers(keys, needed),
                      {r: getattr(args, f"{r}_days") for r in ROLES})
    new = signer(args.key) if args.key else None
    staged = keys / f".{role}.pem.new"  # on disk before any metadata trusts it
    if new is None:
        staged.write_bytes(_new_key_pem())
        staged.chmod(0o600)
        new = signer(staged)
    else:
        _refuse_reuse(repo, new.public_key.keyid, args.key)
        shutil.copyfile(args.key, staged)
        staged.chmod(0o600)
    old = repo.root.signed.roles[role].keyids[0]
    new_root = repo.replace_key(role, new)
    version = new_root.name.split(".")[0]
    retired = _retire(keys / f"{role}.pem", keys / "retired" / f"{role}.until-root-{version}.pem")
    staged.replace(keys / f"{role}.pem")
    signed_by = ("the retiring and the new root key" if role == "root" else "the root key")
    resigned = {"root": "", "targets": " Re-signed targets, snapshot and timestamp.",
                "snapshot": " Re-signed snapshot and timestamp.",
                "timestamp": " Re-signed timestamp."}[role]
    kept = (f" The old key file is now {retired}: destroy it once every workstation has "
            "checked for updates." if retired else "")
    return (f"Rotated the {role} key of {args.dir}: root version {version} ({new_root.name}, "
            f"signed by {signed_by}) trusts {new.public_key.keyid[:12]} "
            f"({keys / f'{role}.pem'}) instead of {old[:12]}.{resigned}{kept}")


def _new_key_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())


def _refuse_reuse(repo: Repository, keyid: str, path: Path) -> None:
    """A new key must be new: one any root version ever trusted may be the stolen one."""
    used_in = repo.key_users().get(keyid)
    if used_in:
        raise Refused(f"The key {path} was already trusted by this repository "
                      f"({used_in}); a rotation needs a key never used here. Make one "
                      "with: packaging/build tuf-keys DIR")


def _retire(current: Path, retired: Path) -> Path | None:
    if not current.exists():  # the lost key
        return None
    retired.parent.mkdir(mode=0o700, exist_ok=True)
    current.replace(retired)
    return retired


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
