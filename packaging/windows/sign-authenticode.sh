#!/usr/bin/env bash
# Authenticode-sign a Windows artefact (the MSI, or hearth.exe) with osslsigncode, from Linux:
#   packaging/windows/sign-authenticode.sh FILE --cert CERT.pem --key KEY.pem [--timestamp URL]
# FILE is replaced by its signed copy. The certificate is the clinic's or vendor's code-signing
# certificate (its chain in CERT.pem); --timestamp names an RFC 3161 timestamp server, so the
# signature stays valid after the certificate expires. The Windows runner signs with signtool
# instead (packaging/windows/windows-msi.yml); both make the same signature.
set -euo pipefail
usage="usage: packaging/windows/sign-authenticode.sh FILE --cert CERT.pem --key KEY.pem [--timestamp URL]"
[ $# -ge 1 ] || { echo "$usage" >&2; exit 2; }
file="$1"; shift
cert="" key="" timestamp=()
while [ $# -gt 0 ]; do
    case "$1" in
        --cert) cert="${2:-}"; shift 2 ;;
        --key) key="${2:-}"; shift 2 ;;
        --timestamp) timestamp=(-ts "${2:-}"); shift 2 ;;
        *) echo "sign-authenticode: unknown option '$1'. $usage" >&2; exit 2 ;;
    esac
done
for given in "$file" "$cert" "$key"; do
    [ -f "$given" ] || { echo "sign-authenticode: no file '$given'. $usage" >&2; exit 2; }
done
command -v osslsigncode >/dev/null || {
    echo "sign-authenticode: osslsigncode is not installed (Debian: apt-get install osslsigncode)." >&2
    exit 1; }
signed="$(dirname "$file")/.$(basename "$file").signing"  # osslsigncode makes it; never over one
rm -f "$signed"
trap 'rm -f "$signed"' EXIT
osslsigncode sign -certs "$cert" -key "$key" -h sha256 -n Hearth "${timestamp[@]}" \
    -in "$file" -out "$signed" >/dev/null
mv "$signed" "$file"
echo "Signed $file."
