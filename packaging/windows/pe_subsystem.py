"""Checks that each Windows program is the kind it must be: windowed or console.

    python packaging/windows/pe_subsystem.py dist/hearth/hearth.exe=windowed \
        dist/hearth/hearth-cli.exe=console

Windows opens a console window for a program whose PE header says "console subsystem", and
none for one that says "windows (GUI) subsystem": PyInstaller's console=False picks the
latter. The Windows workflow (windows-msi.yml) runs this on the frozen app, so a spec change
that gives clinicians a console window again fails the build. Plain Python, no Windows
needed: the field is read from the file (PE format: the header's offset at 0x3C, the
Subsystem field 68 bytes into the optional header).
"""

import struct
import sys
from pathlib import Path

KINDS = {2: "windowed", 3: "console"}  # IMAGE_SUBSYSTEM_WINDOWS_GUI, IMAGE_SUBSYSTEM_WINDOWS_CUI


def subsystem(path: Path) -> str:
    """'windowed', 'console', or a sentence saying why `path` is neither."""
    head = path.read_bytes()[:4096]
    if head[:2] != b"MZ" or len(head) < 0x40:
        return "not a Windows program (no MZ header)"
    pe = struct.unpack_from("<I", head, 0x3C)[0]
    if head[pe:pe + 4] != b"PE\0\0" or len(head) < pe + 24 + 70:
        return "not a Windows program (no PE header)"
    value = struct.unpack_from("<H", head, pe + 24 + 68)[0]
    return KINDS.get(value, f"another kind of program (subsystem {value})")


def main(argv: list[str]) -> int:
    if not argv or not all("=" in arg for arg in argv):
        print("usage: pe_subsystem.py FILE=windowed|console ...", file=sys.stderr)
        return 2
    wrong = 0
    for arg in argv:
        name, wanted = arg.rsplit("=", 1)
        try:
            found = subsystem(Path(name))
        except OSError as exc:
            found = f"unreadable ({exc.strerror})"
        if found == wanted:
            print(f"{name}: a {found} program, as it must be.")
        else:
            print(f"{name} must be a {wanted} program but is {found}.", file=sys.stderr)
            wrong += 1
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
