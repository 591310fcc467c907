"""What hearth.spec leaves out of PyInstaller's Qt collection, and why.

PySide6's hooks collect every plugin of the Qt modules Hearth imports. Some are for kinds of
machine an exam-room desktop is not (a framebuffer, a VNC server, a KMS kiosk, raw evdev
input), and the GTK platform theme pulls the build machine's whole GTK stack (GTK, GDK,
cairo, pango, ATK: about 20 MB) into the app, where it would meet the user's own GTK
modules of another version. Hearth draws with Qt's Fusion style anyway
(app/ui/common/theme.py); without the theme, file dialogs are Qt's own or the desktop
portal's (libqxdgdesktopportal stays).

The system libraries at the top of the app folder were collected only because some
binary loads them; after the plugins go, those that nothing left loads go too (ldd's
closure, through PyInstaller's own bindepend).
"""

import sys

from PyInstaller.depend.bindepend import get_imports

PLUGINS = "PySide6/Qt/plugins/"
UNUSED_PLUGINS = tuple(PLUGINS + name for name in (
    "platformthemes/libqgtk3.so",  # the GTK stack; Qt's own style is used instead
    "platforms/libqeglfs.so", "platforms/libqlinuxfb.so", "platforms/libqvnc.so",
    "platforms/libqvkkhrdisplay.so", "platforms/libqminimalegl.so",  # no desktop
    "egldeviceintegrations/", "generic/",  # eglfs's KMS back ends, evdev input (kiosks)
))


def without_unused_plugins(binaries: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """`binaries` (Analysis.binaries: destination, source, kind) without UNUSED_PLUGINS and
    without the system libraries that only those loaded. Linux only: Windows and macOS
    collect no system libraries and have none of these plugins."""
    if not sys.platform.startswith("linux"):
        return binaries
    kept = [entry for entry in binaries if not entry[0].startswith(UNUSED_PLUGINS)]
    roots = [entry for entry in kept if not _system_library(entry[0])]
    needed = {name for _, source, _ in roots for name, _ in get_imports(source)}
    return [entry for entry in kept if not _system_library(entry[0]) or entry[0] in needed]


def _system_library(destination: str) -> bool:
    """A shared library at the top of the app folder that is not a Python module itself."""
    return "/" not in destination and destination.startswith("lib") and ".so" in destination \
        and ".cpython-" not in destination and ".abi3." not in destination \
        and not destination.startswith("libpython")
