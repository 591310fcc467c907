"""Taking a password from an environment variable, and wiping it there at once.

A process's environment is readable by the same user in /proc/PID/environ for its whole
life, so HEARTH_PASSWORD stayed visible while `hearth sync` ran. Removing the variable from
os.environ is not enough on Linux: /proc shows the environment block the process started
with, which unsetenv() leaves in place. So the value's bytes are overwritten where libc's
getenv() finds them, then the variable is removed. Scripts should prefer --password-stdin,
which never puts the password in the environment at all.
"""

import ctypes
import os


def take(name: str) -> str:
    """The variable's value; afterwards neither this process nor /proc/PID/environ has it."""
    value = os.environ[name]
    _overwrite_in_place(name)
    del os.environ[name]
    return value


def _overwrite_in_place(name: str) -> None:
    try:
        libc = ctypes.CDLL(None)  # POSIX: the C library this process already uses
        getenv, strlen = libc.getenv, libc.strlen
    except (OSError, AttributeError, TypeError):  # Windows: no /proc to read it from
        return
    getenv.restype, getenv.argtypes = ctypes.c_void_p, [ctypes.c_char_p]
    strlen.restype, strlen.argtypes = ctypes.c_size_t, [ctypes.c_void_p]
    address = getenv(os.fsencode(name))
    if address:
        ctypes.memset(address, 0, strlen(address))
