#!/usr/bin/env bash
# packaging/build deb [--version V]: dist/hearth_VERSION_amd64.deb, built with dpkg-deb from
# a staging tree. /opt/hearth is a virtualenv over Debian 12's /usr/bin/python3, made here
# in the staging folder and then moved in name only: the interpreter link and pyvenv.cfg
# already point at /usr/bin, and the one thing that names the staging folder (the scripts'
# #! lines, the activate scripts) is rewritten to /opt/hearth; the build fails if any file
# still names it. --version builds the same code under another package version (an upgrade
# test, or a rebuilt package); the default is pyproject's.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
deb="$root/packaging/deb"
cd "$root"

version="$(/usr/bin/python3 -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')"
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version="${2:?packaging/build deb: --version needs a value, such as 0.1.1}"; shift 2 ;;
    *) echo "packaging/build deb: unknown option '$1' (only --version V)." >&2; exit 2 ;;
  esac
done
for tool in dpkg-deb; do
  command -v "$tool" >/dev/null || { echo "packaging/build deb: $tool is missing: apt-get install dpkg" >&2; exit 1; }
done
if [ "$(/usr/bin/python3 -c 'import sys; print(sys.version_info[:2] == (3, 11))')" != True ]; then
  echo "packaging/build deb: build on Debian 12 (its /usr/bin/python3 is 3.11, the target's)." >&2
  exit 1
fi

stage="$root/build/deb/hearth_${version}_amd64"
venv="$stage/opt/hearth"
rm -rf "$stage"
mkdir -p "$stage" dist

# The virtualenv, with Hearth and its pinned dependencies as wheels; pip and setuptools are
# only for building it, so they leave before packing. No .pyc: postinst compiles them with
# the target's own interpreter.
/usr/bin/python3 -m venv "$venv"
PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/python" -m pip install --quiet --no-compile \
  --no-warn-script-location "$root"
"$venv/bin/python" -m pip uninstall --quiet --yes pip setuptools
find "$venv" -name __pycache__ -type d -prune -exec rm -rf {} +
# A library's own version-control leftovers (securesystemslib vendors a .gitignore): not
# part of any program, and lintian's package-contains-vcs-control-file.
find "$venv" \( -name .gitignore -o -name .gitattributes -o -name .gitkeep \) -type f -delete
# Shared libraries are loaded, never run: wheels unpack some with the executable bit, which
# lintian's shared-library-is-executable names.
find "$venv" -type f \( -name "*.so" -o -name "*.so.*" \) -perm /111 -exec chmod a-x {} +
rm -f "$venv"/bin/activate.csh "$venv"/bin/activate.fish "$venv"/bin/Activate.ps1
grep -rlIF "$venv" "$venv/bin" "$venv/pyvenv.cfg" | xargs -r sed -i "s#$venv#/opt/hearth#g"
if left="$(grep -rlF "$venv" "$stage")"; then
  echo "packaging/build deb: these files still name the staging folder $venv:" >&2
  echo "$left" >&2
  exit 1
fi

# What the desktop and IT see.
install -D -m 0644 resources/default-policy.json "$stage/etc/hearth/policy.json"
install -D -m 0755 "$deb/policy_answers.py" "$stage/opt/hearth/libexec/policy-answers"
install -D -m 0644 "$deb/hearth.desktop" "$stage/usr/share/applications/hearth.desktop"
install -D -m 0644 "$deb/hearth.svg" "$stage/usr/share/icons/hicolor/scalable/apps/hearth.svg"
install -D -m 0644 "$deb/copyright" "$stage/usr/share/doc/hearth/copyright"
install -D -m 0644 "$deb/lintian-overrides" "$stage/usr/share/lintian/overrides/hearth"
mkdir -p "$stage/usr/bin"
ln -s /opt/hearth/bin/hearth "$stage/usr/bin/hearth"
sed "s/@VERSION@/$version/; s/@DATE@/$(date -R)/" "$deb/changelog.in" \
  | gzip -9n > "$stage/usr/share/doc/hearth/changelog.gz"
chmod 0644 "$stage/usr/share/doc/hearth/changelog.gz"
install -D -m 0644 "$deb/hearth.1" "$stage/usr/share/man/man1/hearth.1"
gzip -9n "$stage/usr/share/man/man1/hearth.1"

# The control area: debconf questions, maintainer scripts, the conffile, checksums.
mkdir -p "$stage/DEBIAN"
install -m 0644 "$deb/debian/templates" "$deb/debian/conffiles" "$stage/DEBIAN/"
install -m 0755 "$deb/debian/config" "$deb/debian/postinst" "$deb/debian/prerm" \
  "$deb/debian/postrm" "$stage/DEBIAN/"
size_kib="$(du -sk --exclude=DEBIAN "$stage" | cut -f1)"
sed "s/@VERSION@/$version/; s/@SIZE@/$size_kib/" "$deb/debian/control.in" > "$stage/DEBIAN/control"
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z \
  | xargs -0 md5sum > DEBIAN/md5sums)
chmod 0644 "$stage/DEBIAN/md5sums"

# xz, the compression the Debian archive and lintian accept (zstd is "malformed-deb-archive"
# to them); level 1 because higher levels take minutes for a few MB (packaging/deb/README.md).
out="dist/hearth_${version}_amd64.deb"
dpkg-deb --root-owner-group --build -Zxz -z1 "$stage" "$out" >/dev/null
echo "$out"
