"""`hearth` with no command (the workstation window) and `hearth demo`, and the options
every command shares.

Kept apart from the rest of the command line (app.cli.command_line), which imports every
service of the clinic: `hearth` alone is parsed here and its sign-in window shown before
any of them is imported (app.cli.commands).
"""

import argparse
import os
import shlex
from pathlib import Path

from app.cli.passwords import Secrets
from app.errors import StoreNotFound
from app.security.environment import Environment
from app.store.own_command import this_command
from app.store.paths import StorePaths, default_store_dir, demo_store_dir
from app.ui.shell.display import require_display


class ShowVersion(argparse.Action):
    """--version: the installed version, looked up only when asked (importlib.metadata is
    slow to import)."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        from importlib.metadata import version

        print(f"hearth {version('hearth')}")  # on stdout, as argparse's own version action
        parser.exit()


def add_global_options(parser: argparse.ArgumentParser) -> None:
    """The options before any command; without a command, `hearth` opens the window."""
    parser.add_argument("--store", type=Path,
                        default=Path(os.environ.get("HEARTH_STORE") or default_store_dir()),
                        help="store directory (default: HEARTH_STORE or %(default)s)")
    parser.add_argument("--user", default=os.environ.get("HEARTH_USER"),
                        help="who is acting (default: HEARTH_USER)")
    parser.add_argument("--password-stdin", action="store_true",
                        help="read passwords from standard input, one per line")
    parser.add_argument("--policy", type=Path, metavar="FILE",
                        help="a policy stricter than IT's system policy (it may not loosen it)")
    parser.add_argument("--json", action="store_true", help="print data as JSON")
    parser.add_argument("--version", action=ShowVersion,
                        help="print the version of Hearth installed and exit")
    parser.set_defaults(run=cmd_workstation, needs_policy=True)


class NotTheWindow(Exception):
    """The arguments are more than the window's: a command, --help, or a mistake."""


class _WindowParser(argparse.ArgumentParser):
    def error(self, message: str):
        raise NotTheWindow(message)


def window_args(argv: list[str]) -> argparse.Namespace | None:
    """The arguments, if they are the window's alone (global options, no command, no
    --help); else None, and the whole command line parses them (and reports mistakes)."""
    parser = _WindowParser(prog="hearth", add_help=False)
    add_global_options(parser)
    try:
        return parser.parse_args(argv)
    except NotTheWindow:
        return None


def cmd_workstation(args, env: Environment, secrets: Secrets) -> int:
    """No command: the workstation window on the configured store."""
    if not StorePaths(args.store).exists():
        raise StoreNotFound(f"No Hearth store at {args.store}. IT creates one with: hearth "
                            "init --admin NAME; or try the demo clinic: hearth demo")
    require_display(shlex.join(this_command()))
    from app.ui.shell.run import run_workstation  # Qt loads only for the window, not for the CLI

    return run_workstation(env, args.store)


def cmd_demo(args, env: Environment, secrets: Secrets) -> int:
    """The window on the demo clinic, built on first use. Whether a window can be shown is
    asked first, so a headless machine hears it at once, not after a minute's build."""
    from app.cli.demo import ensure_demo_store

    require_display(shlex.join(this_command()))
    from app.ui.shell.run import run_workstation

    info = ensure_demo_store(env, demo_store_dir(), say=lambda line: print(line, flush=True))
    if info.notice:
        print(f"{info.notice}: no OS keyring here, so its device secret is kept in a file "
              "beside it.", flush=True)
    print(info.hints(), flush=True)
    return run_workstation(info.env, info.root, info.hints(), info.notice)


