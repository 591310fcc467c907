#!/usr/bin/env bash
# packaging/build apt-repo DIR [--key FILE] [--valid-for DAYS]: publishes
# dist/hearth_VERSION_amd64.deb (built first if it is not there) into a signed apt repository
# at DIR with reprepro. The Release files are signed with the secret key in FILE (an armoured
# `gpg --export-secret-keys` file); without --key, with the TEST-ONLY key in
# packaging/test-keys/, generated there on first use: never publish to clinics with it.
# Valid-Until is DAYS after signing (default 14): an attacker who replays an older signed
# Release is refused by apt once it has expired, so IT runs this again (it re-signs) at least
# that often. Clients trust the repository through DIR/hearth-archive-keyring.gpg only
# (signed-by), which this writes beside the repository.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

usage="usage: packaging/build apt-repo DIR [--key FILE] [--valid-for DAYS]"
repo=""; key=""; days=14
while [ $# -gt 0 ]; do
  case "$1" in
    --key) key="${2:?packaging/build apt-repo: --key needs a secret key file}"; shift 2 ;;
    --valid-for) days="${2:?packaging/build apt-repo: --valid-for needs a number of days}"; shift 2 ;;
    -*) echo "packaging/build apt-repo: unknown option '$1'. $usage" >&2; exit 2 ;;
    *) [ -z "$repo" ] || { echo "packaging/build apt-repo: one DIR only. $usage" >&2; exit 2; }
       repo="$1"; shift ;;
  esac
done
[ -n "$repo" ] || { echo "packaging/build apt-repo: name the repository folder. $usage" >&2; exit 2; }
case "$days" in
  ''|*[!0-9]*|0) echo "packaging/build apt-repo: --valid-for takes a whole number of days (1 or more), not '$days'." >&2; exit 2 ;;
esac
command -v reprepro >/dev/null || { echo "packaging/build apt-repo: reprepro is missing: apt-get install reprepro gnupg" >&2; exit 1; }

version="$(/usr/bin/python3 -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')"
deb="dist/hearth_${version}_amd64.deb"
[ -f "$deb" ] || packaging/deb/build.sh >/dev/null

if [ -z "$key" ]; then
  key="packaging/test-keys/apt-repo-TEST-ONLY.secret.asc"
  [ -f "$key" ] || packaging/apt/make-test-key.sh "$key"
fi
[ -f "$key" ] || { echo "packaging/build apt-repo: no key file $key." >&2; exit 1; }

GNUPGHOME="$(mktemp -d)"
export GNUPGHOME
trap 'gpgconf --kill all >/dev/null 2>&1 || true; rm -rf "$GNUPGHOME"' EXIT
if ! gpg --batch --quiet --import "$key" 2>/dev/null; then
  echo "packaging/build apt-repo: $key is not a gpg secret key file (gpg --export-secret-keys --armor)." >&2
  exit 1
fi
fingerprint="$(gpg --batch --with-colons --list-secret-keys | awk -F: '$1 == "fpr" {print $10; exit}')"
[ -n "$fingerprint" ] || { echo "packaging/build apt-repo: $key holds no secret key." >&2; exit 1; }

mkdir -p "$repo/conf"
cat > "$repo/conf/distributions" <<CONF
Origin: Hearth
Label: Hearth
Suite: stable
Codename: bookworm
Architectures: amd64
Components: main
Description: Hearth clinical workstation for Debian 12
SignWith: $fingerprint
ValidFor: ${days}d
CONF
echo "verbose" > "$repo/conf/options"

published="$(reprepro -b "$repo" --list-format '${version}\n' list bookworm hearth 2>/dev/null || true)"
if [ "$published" = "$version" ]; then
  if ! cmp -s "$deb" "$repo/pool/main/h/hearth/$(basename "$deb")"; then
    echo "packaging/build apt-repo: hearth $version is already published in $repo with other contents; build it with a higher version (packaging/build deb --version V)." >&2
    exit 1
  fi
else
  reprepro -b "$repo" --silent includedeb bookworm "$deb"
fi
reprepro -b "$repo" --silent export bookworm  # signs again: a fresh Date and Valid-Until
gpg --batch --export "$fingerprint" > "$repo/hearth-archive-keyring.gpg"
gpg --batch --armor --export "$fingerprint" > "$repo/hearth-archive-keyring.asc"
echo "$repo"
