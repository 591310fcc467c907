#!/usr/bin/env bash
# The macOS installer, signed and notarised: run on a Mac (macos-pkg.yml runs it on a native
# runner; it cannot run on Linux). Needs Xcode's command line tools, the Python 3.11 that
# Hearth's venv was made with, and in the login keychain the two Developer ID certificates
# named below. Writes dist/Hearth-VERSION.pkg, which installs /Applications/Hearth.app.
#   packaging/macos/build-pkg.sh
# Environment: APP_IDENTITY ("Developer ID Application: NAME (TEAM)"), INSTALLER_IDENTITY
# ("Developer ID Installer: NAME (TEAM)"), NOTARY_PROFILE (a keychain profile made once with
# `xcrun notarytool store-credentials`).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${HEARTH_PYTHON:-$root/.venv/bin/python}"
: "${APP_IDENTITY:?name the Developer ID Application certificate}"
: "${INSTALLER_IDENTITY:?name the Developer ID Installer certificate}"
: "${NOTARY_PROFILE:?name the notarytool keychain profile}"

# hearth.spec makes dist/Hearth.app beside dist/hearth/ on macOS.
"$python" -m PyInstaller --noconfirm --clean --distpath "$root/dist" \
    --workpath "$root/build/frozen" "$root/packaging/frozen/hearth.spec"
app="$root/dist/Hearth.app"
version="$("$app/Contents/MacOS/hearth" --version | cut -d' ' -f2)"

# Hardened runtime (required for notarisation); the entitlements say why each is needed.
codesign --force --deep --options runtime --timestamp \
    --entitlements "$here/entitlements.plist" --sign "$APP_IDENTITY" "$app"
codesign --verify --deep --strict --verbose=2 "$app"

pkgbuild --component "$app" --install-location /Applications \
    --identifier org.hearth.workstation --version "$version" "$root/build/Hearth-component.pkg"
productbuild --package "$root/build/Hearth-component.pkg" --sign "$INSTALLER_IDENTITY" \
    "$root/dist/Hearth-$version.pkg"

xcrun notarytool submit "$root/dist/Hearth-$version.pkg" --keychain-profile "$NOTARY_PROFILE" --wait
xcrun stapler staple "$root/dist/Hearth-$version.pkg"
spctl --assess --type install --verbose "$root/dist/Hearth-$version.pkg"
echo "Built $root/dist/Hearth-$version.pkg (signed, notarised, stapled)."
