"""Passwords for one command: from the environment, lines on stdin, or a prompt."""

import getpass
import os
import sys

from app.cli import env_secrets
from app.errors import UsageError


class Secrets:
    """Passwords for one command, from the environment, stdin lines or a prompt, in turn."""

    def __init__(self, from_stdin: bool):
        self._from_stdin = from_stdin

    def ask(self, what: str, env_name: str, confirm: bool = False) -> str:
        if env_name in os.environ:
            return env_secrets.take(env_name)  # gone from /proc/PID/environ too
        if self._from_stdin:
            line = sys.stdin.readline()
            if not line:
                raise UsageError(f"Standard input ended before the {what}.")
            return line.rstrip("\r\n")
        if not sys.stdin.isatty():
            raise UsageError(
                f"No {what}: set {env_name}, pass --password-stdin, or run in a terminal.")
        value = getpass.getpass(f"{what[0].upper()}{what[1:]}: ")
        if confirm and getpass.getpass(f"Repeat the {what}: ") != value:
            raise UsageError(f"The two entries of the {what} differ; nothing was changed.")
        return value


