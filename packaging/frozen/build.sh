#!/usr/bin/env bash
# `packaging/build frozen [--dist DIR]`: the workstation frozen by PyInstaller into
# DIR/hearth/ (default dist/hearth/: the program dist/hearth/hearth and its libraries), from
# hearth.spec beside this script. Its size, build time and start-up: docs/frozen.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${HEARTH_PYTHON:-$root/.venv/bin/python}"
dist="$root/dist"

while [ $# -gt 0 ]; do
    case "$1" in
        --dist) [ $# -ge 2 ] || { echo "packaging/build frozen: --dist needs a folder." >&2; exit 2; }
                dist="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
        -h|--help) echo "usage: packaging/build frozen [--dist DIR]   writes DIR/hearth/ (default dist/)"
                   exit 0 ;;
        *) echo "packaging/build frozen: unknown option '$1' (only --dist DIR)." >&2; exit 2 ;;
    esac
done
if ! "$python" -c "import PyInstaller" 2>/dev/null; then
    echo "packaging/build frozen: PyInstaller is not installed for $python; install the" \
         "test extras: $root/.venv/bin/pip install -e '$root[test]'" >&2
    exit 1
fi
"$python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$dist" --workpath "$root/build/frozen" "$here/hearth.spec"
# Debug symbols make up a sixth of the app (libpython, sqlcipher3: 44 MB). PyInstaller's own
# strip also rewrites the wheels' bundled libraries (*.libs/), which then fail to load
# (numpy's OpenBLAS: "ELF load command address/offset not page-aligned"), so only the debug
# sections of the other binaries go.
find "$dist/hearth/_internal" -type f -name "*.so*" -not -path "*.libs/*" \
    -exec sh -c 'readelf -S "$1" | grep -q "\.debug_info" && strip --strip-debug "$1" || true' \
    _ {} \;
echo "Built $dist/hearth/hearth ($(du -sh "$dist/hearth" | cut -f1))."
