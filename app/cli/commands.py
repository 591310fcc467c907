"""`hearth`: the command line for IT and power users, and the workstation window.

Scriptable: the store comes from --store or HEARTH_STORE, the acting user from --user or
HEARTH_USER, passwords from a prompt, HEARTH_PASSWORD (and HEARTH_NEW_PASSWORD), or one
per line on standard input with --password-stdin. Data goes to stdout (--json where it is
data); every error is one line on stderr and a non-zero exit, never a traceback. Output
piped into a reader that stops early (`| head`) ends the command quietly, as it ends any
Unix tool.

`hearth` with no command opens the window: its arguments are parsed without the commands
(app.cli.window_commands), whose modules import every service of the clinic, so the
sign-in window is painted before those are imported; any other arguments go to the whole
command line (app.cli.command_line).
"""

import argparse
import os
import select
import shlex
import sys

from app.cli.passwords import Secrets
from app.cli.window_commands import cmd_demo, cmd_workstation, window_args
from app.errors import HearthError, NoDisplay, PolicyRefused
from app.security.environment import Environment
from app.security.policy import Policy
from app.store.own_command import this_command
from app.ui.shell.display import require_display
from fhir_common.messages import sentence
from sync.errors import SyncError

READER_GONE = 141  # 128 + SIGPIPE: the status of a Unix tool whose reader closed the pipe


def parse(argv: list[str] | None) -> argparse.Namespace:
    argv = sys.argv[1:] if argv is None else argv
    window = window_args(argv)
    if window is not None:
        return window
    from app.cli.command_line import build_parser  # every command, and so every service

    return build_parser().parse_args(argv)


def main(argv: list[str] | None = None, env: Environment | None = None) -> int:
    args = parse(argv)
    try:
        env = env or Environment(
            policy=Policy.system_with(args.policy) if args.needs_policy else None)
        status = args.run(args, env, Secrets(args.password_stdin))
        sys.stdout.flush()  # so a reader gone away is found here, not at interpreter exit
        return status
    except HearthError as err:
        print(f"hearth: {sentence(err)}", file=sys.stderr)
        if isinstance(err, PolicyRefused) and args.run in (cmd_workstation, cmd_demo):
            show_in_window(err)
        return err.exit_code
    except SyncError as err:
        print(f"hearth: {sentence(err)}", file=sys.stderr)
        from app.cli.sync_commands import SYNC_INCOMPLETE

        return SYNC_INCOMPLETE
    except KeyboardInterrupt:
        print("hearth: cancelled; nothing more was changed.", file=sys.stderr)
        return 130
    except BrokenPipeError as err:
        return READER_GONE if stdout_reader_gone() else unexpected(err)
    except Exception as err:  # the boundary: one line, never a traceback
        return unexpected(err)


def show_in_window(err: HearthError) -> None:
    """Show a refusal to start the window in a window too: Hearth started from the desktop's
    menu has no terminal, and a policy file at fault must not look like a program that
    never opened. Where no window can be shown, the line on stderr is all there is."""
    try:
        require_display(shlex.join(this_command()))
    except NoDisplay:
        return
    from app.ui.shell.run import refuse_start_up  # Qt loads only for the window

    refuse_start_up(err)


def unexpected(err: Exception) -> int:
    print(f"hearth: {sentence(err)}", file=sys.stderr)
    return 1


def stdout_reader_gone() -> bool:
    """Whether the program reading stdout has closed it (`| head` read what it wanted), as
    poll() reports it (POSIX); a broken pipe that was not stdout's is an error.

    If so, stdout is pointed at /dev/null: the interpreter flushes stdout on the way out,
    and that flush must not fail again.
    """
    try:
        stdout = sys.stdout.fileno()
        poller = select.poll()
    except (AttributeError, OSError, ValueError):  # no poll() (Windows), or no real stdout
        return False
    poller.register(stdout, select.POLLOUT)
    gone = any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))
    if gone:
        os.dup2(os.open(os.devnull, os.O_WRONLY), stdout)
    return gone


