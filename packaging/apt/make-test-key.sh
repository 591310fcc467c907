#!/usr/bin/env bash
# The apt repository's TEST-ONLY signing key, made once into packaging/test-keys/ for tests and
# trying the repository out. Its secret is in this source tree for anyone to read: a clinic's
# repository is signed with IT's own key (packaging/build apt-repo DIR --key FILE). It is
# dated 2024-01-01 so that tests can sign a Release as if weeks ago (the replay test) without
# the signature predating the key.
set -euo pipefail
out="${1:?usage: make-test-key.sh OUT_FILE}"
GNUPGHOME="$(mktemp -d)"
export GNUPGHOME
trap 'gpgconf --kill all >/dev/null 2>&1 || true; rm -rf "$GNUPGHOME"' EXIT
gpg --batch --quiet --passphrase '' --faked-system-time 20240101T000000 \
  --quick-generate-key "Hearth apt repository TEST ONLY <test-only@hearth.invalid>" ed25519 sign never
mkdir -p "$(dirname "$out")"
gpg --batch --armor --export-secret-keys > "$out"
echo "$out"
