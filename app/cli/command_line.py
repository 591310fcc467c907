"""`hearth COMMAND`: the parser of every command, and the commands of users, the audit
trail, imports, search, the chart and the store (the other groups have a module each).

app.cli.commands runs what this parses, and parses `hearth` alone (the window) without it.
"""

import argparse
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from app.bootstrap import Environment, init_store, open_workstation, recover_store
from app.cli import (
    access_commands,
    amendment_commands,
    audit_commands,
    claims_commands,
    coding_commands,
    disclosure_commands,
    ehi_commands,
    inbox_commands,
    mfa_commands,
    order_commands,
    patient_commands,
    policy_commands,
    print_commands,
    report_commands,
    safety_commands,
    schedule_commands,
    sync_commands,
    update_commands,
)
from app.cli.args import OneLineParser, whole_number
from app.cli.chart_text import page_text, summary_text
from app.cli.passwords import Secrets
from app.cli.window_commands import add_global_options, cmd_demo
from app.clinical.chart.chart import SECTIONS
from app.clinical.imports.importer import Progress
from app.display_time import when_text
from app.errors import UsageError
from app.security.roles import Role
from fhir_common import fhir_json

READER_GONE = 141  # 128 + SIGPIPE: the status of a Unix tool whose reader closed the pipe


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="hearth", description="Hearth clinical workstation")
    add_global_options(parser)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    data = argparse.ArgumentParser(add_help=False)
    data.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                      help="print data as JSON")

    commands.add_parser("demo", help="open the workstation on a demo clinic (made once)"
                        ).set_defaults(run=cmd_demo)

    init = commands.add_parser("init", parents=[data], help="create a store and its first admin")
    init.add_argument("--admin", required=True, help="the first admin's user name")
    init.add_argument("--full-name", default="", help="the admin's full name")
    init.set_defaults(run=cmd_init)

    user = commands.add_parser("user", help="manage user accounts").add_subparsers(
        title="user commands", metavar="ACTION", required=True)
    add = user.add_parser("add", parents=[data], help="add a user")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=[str(r) for r in Role])
    add.add_argument("--full-name", default="")
    add.set_defaults(run=signed_in(cmd_user_add))
    user.add_parser("list", parents=[data], help="list users").set_defaults(
        run=signed_in(cmd_user_list))
    for action, helptext in (("passwd", "set a new password"), ("lock", "lock an account"),
                             ("unlock", "unlock an account")):
        sub = user.add_parser(action, help=helptext)
        sub.add_argument("name")
        sub.set_defaults(run=signed_in(COMMANDS_BY_NAME[action]))
    role = user.add_parser("role", help="change a user's role (re-keys the store)")
    role.add_argument("name")
    role.add_argument("role", choices=[str(r) for r in Role])
    role.set_defaults(run=signed_in(cmd_user_role))

    audit = commands.add_parser("audit", help="the audit trail").add_subparsers(
        title="audit commands", metavar="ACTION", required=True)
    verify = audit.add_parser("verify", parents=[data], help="check the hash chain")
    verify.add_argument("--server", nargs="?", const="", metavar="URL",
                        help="also compare with the checkpoint on the server (default: the "
                             "IT policy's sync.server)")
    verify.set_defaults(run=signed_in(cmd_audit_verify))
    export = audit.add_parser("export", help="export as CSV (ONC 170.315(d)(3))")
    export.add_argument("--sort", choices=["time", "user", "patient", "action", "record"],
                        default="time", help="order of the rows (record: the data accessed)")
    export.add_argument("--by", metavar="USER", help="only this user's actions")
    export.add_argument("--patient", metavar="ID", help="only actions on this patient")
    export.add_argument("--since", metavar="DATE", help="from this UTC date or time")
    export.add_argument("--until", metavar="DATE", help="before this UTC date or time")
    export.add_argument("--output", type=Path, help="write to a file instead of stdout")
    export.set_defaults(run=signed_in(cmd_audit_export))

    imp = commands.add_parser("import", parents=[data],
                              help="import FHIR Bundles or NDJSON, files or directories")
    imp.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    imp.set_defaults(run=signed_in(cmd_import))

    find = commands.add_parser("search", parents=[data],
                               help="find patients by name, MRN, birth date or phone")
    find.add_argument("text", nargs="+", metavar="TEXT")
    find.add_argument("--limit", type=whole_number(1, 1000), default=20)
    find.set_defaults(run=signed_in(cmd_search))

    chart = commands.add_parser("chart", parents=[data], help="a patient's chart")
    chart.add_argument("patient_id", metavar="PATIENT_ID")
    chart.add_argument("--section", choices=SECTIONS, help="one section in full, paged")
    chart.add_argument("--page", type=whole_number(1, 10**9), default=1)
    chart.add_argument("--page-size", type=whole_number(1, 1000), default=50)
    chart.set_defaults(run=signed_in(cmd_chart))

    store = commands.add_parser("store", help="the store itself").add_subparsers(
        title="store commands", metavar="ACTION", required=True)
    store.add_parser("check", parents=[data], help="read every page and check it").set_defaults(
        run=signed_in(cmd_store_check))

    commands.add_parser("recovery-key", parents=[data],
                        help="create (or replace) the IT recovery key").set_defaults(
        run=signed_in(cmd_recovery_key))
    recover = commands.add_parser("recover", parents=[data],
                                  help="set a user's password with the IT recovery key")
    recover.add_argument("--user", dest="recover_user", required=True, metavar="NAME")
    recover.set_defaults(run=cmd_recover)
    sync_commands.register(commands, data, signed_in)
    patient_commands.register(commands, data, signed_in)
    schedule_commands.register(commands, data, signed_in)
    safety_commands.register(commands, data, signed_in)
    order_commands.register(commands, data, signed_in)
    inbox_commands.register(commands, data, signed_in)
    print_commands.register(commands, data, signed_in)
    coding_commands.register(commands, data, signed_in)  # after safety's `knowledge`
    claims_commands.register(commands, data, signed_in)
    report_commands.register(commands, data, signed_in)
    ehi_commands.register(commands, data, signed_in)
    disclosure_commands.register(commands, data, signed_in)
    amendment_commands.register(commands, data, signed_in)
    mfa_commands.register(commands, data, signed_in)
    policy_commands.register(commands, data)
    access_commands.register(commands, data, signed_in)  # after `chart`, which it extends
    update_commands.register(commands, data, signed_in)
    return parser


def signed_in(command: Callable) -> Callable:
    """Run `command(args, workstation, secrets)` as the acting user, then log out."""

    def run(args, env: Environment, secrets: Secrets) -> int:
        if not args.user:
            raise UsageError("Say who is acting: --user NAME or HEARTH_USER.")
        password = secrets.ask(f"password for {args.user}", "HEARTH_PASSWORD")
        ws = open_workstation(env, args.store, args.user, password)
        args.acting_password, args.env = password, env
        try:
            mfa_commands.second_factor(args, ws, secrets)  # the code, where the policy asks it
            safety_commands.warn_of_packs(ws)  # never silent about unsound safety packs
            return command(args, ws, secrets)
        finally:
            ws.close()

    return run


def cmd_init(args, env: Environment, secrets: Secrets) -> int:
    password = secrets.ask(f"new password for {args.admin}", "HEARTH_PASSWORD", confirm=True)
    store_id = init_store(env, args.store, args.admin, args.full_name, password)
    emit(args, {"store": str(args.store), "store_id": store_id, "admin": args.admin},
         f"Created the store {args.store} (id {store_id}) with admin '{args.admin}'.")
    return 0


def cmd_user_add(args, ws, secrets: Secrets) -> int:
    password = secrets.ask(f"new password for {args.name}", "HEARTH_NEW_PASSWORD", confirm=True)
    ws.users.add(ws.session, args.name, args.full_name, args.role, password)
    emit(args, {"added": args.name, "role": args.role}, f"Added {args.role} '{args.name}'.")
    return 0


def cmd_user_list(args, ws, secrets: Secrets) -> int:
    users = ws.users.list(ws.session)
    if args.json:
        print(fhir_json.dumps([u.__dict__ for u in users]).decode())
        return 0
    print(f"{'USER':<16} {'ROLE':<11} {'STATUS':<24} FULL NAME")
    for u in users:
        status = ("locked by admin" if u.locked else
                  f"locked out until {when_text(u.locked_out_until)}" if u.locked_out_until else
                  "active")
        print(f"{u.name:<16} {u.role:<11} {status:<24} {u.full_name}")
    return 0


def cmd_user_passwd(args, ws, secrets: Secrets) -> int:
    password = secrets.ask(f"new password for {args.name}", "HEARTH_NEW_PASSWORD", confirm=True)
    rotated = ws.users.change_password(ws.session, args.name, password,
                                       current_password=args.acting_password)
    print(f"Changed the password of '{args.name}'" + (
        "; the store's key was changed, so a copy of the old key file opens nothing."
        if rotated else "."))
    print_need_password(rotated)
    return 0


def cmd_user_lock(args, ws, secrets: Secrets) -> int:
    rotated = ws.users.lock(ws.session, args.name)
    print(f"Locked '{args.name}': they can no longer log in, and the store's key was changed "
          "so their password opens nothing.")
    print_need_password(rotated)
    return 0


def cmd_user_role(args, ws, secrets: Secrets) -> int:
    rotated = ws.users.set_role(ws.session, args.name, args.role)
    print(f"'{args.name}' is now {args.role}; the store's key was changed.")
    print_need_password(rotated)
    return 0


def print_need_password(rotated) -> None:
    """Users who had not signed in since the key-pair upgrade were left out of a rotation."""
    if rotated and rotated.need_password:
        print("These users had not signed in since Hearth was upgraded and need a new "
              f"password (hearth user passwd NAME): {', '.join(rotated.need_password)}.")


def cmd_user_unlock(args, ws, secrets: Secrets) -> int:
    ws.users.unlock(ws.session, args.name)
    print(f"Unlocked '{args.name}'.")
    return 0


COMMANDS_BY_NAME = {"passwd": cmd_user_passwd, "lock": cmd_user_lock, "unlock": cmd_user_unlock}


def cmd_audit_verify(args, ws, secrets: Secrets) -> int:
    result = ws.audit.verify(ws.session, audit_commands.server_check(args, ws))
    if args.json:
        print(fhir_json.dumps({"rows": result.rows, "intact": result.intact,
                            "problems": result.problems}).decode())
    elif result.intact:
        print(f"Audit trail intact: {result.rows} rows, hash chain verified"
              + (" against the server's checkpoint." if args.server is not None else "."))
    else:
        print(f"Audit trail BROKEN: {len(result.problems)} problem(s) in {result.rows} rows:")
        for problem in result.problems:
            print(f"  - {problem}")
    return 0 if result.intact else 1


def cmd_audit_export(args, ws, secrets: Secrets) -> int:
    filters = dict(sort=args.sort, user=args.by, patient=args.patient, since=args.since,
                   until=args.until)
    if args.output is None:
        ws.audit.export(ws.session, sys.stdout, **filters)
        return 0
    with open(args.output, "w", newline="", encoding="utf-8") as out:
        count = ws.audit.export(ws.session, out, **filters)
    print(f"Exported {count} audit rows to {args.output}.", file=sys.stderr)
    return 0


def cmd_import(args, ws, secrets: Secrets) -> int:
    show = progress_bar if sys.stderr.isatty() else (lambda _: None)
    report = ws.importer.run(ws.session, args.paths, show)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if args.json:
        print(fhir_json.dumps(report.as_json()).decode())
    else:
        print(report.summary())
        for problem in report.errors:
            print(f"  skipped {problem.file} entry {problem.entry}: {problem.reason}")
        for problem in report.unscheduled + report.safety:  # for the desk, the clinician
            print(f"  {problem.file} entry {problem.entry}: {problem.reason}")
        if report.warnings:
            print(f"  {len(report.warnings)} warnings (see --json), e.g. "
                  f"{report.warnings[0].file} entry {report.warnings[0].entry}: "
                  f"{report.warnings[0].reason}")
    return 0 if not report.skipped else 1


def progress_bar(progress: Progress) -> None:
    width = 30
    filled = width * progress.files_done // max(progress.files, 1)
    name = progress.current.name[:40] if progress.current else "done"
    print(f"\r[{'#' * filled}{'.' * (width - filled)}] {progress.files_done}/{progress.files} "
          f"files, {progress.entries:,} entries  {name:<40}", end="", file=sys.stderr, flush=True)


def cmd_search(args, ws, secrets: Secrets) -> int:
    hits = ws.search.search(ws.session, " ".join(args.text), args.limit)
    if args.json:
        print(fhir_json.dumps([asdict(h) for h in hits]).decode())
        return 0
    if not hits:
        print("No patient matches.")
    for h in hits:
        print(f"{h.name:<32} {h.birth_date or '':<10}  {h.gender or '':<7} "
              f"MRN {h.mrn or '—':<38} {h.patient_id}")
        if h.warning:
            print(f"    WARNING: {h.warning}")
    return 0


def cmd_chart(args, ws, secrets: Secrets) -> int:
    if args.section:
        page = ws.chart.section(ws.session, args.patient_id, args.section, args.page,
                                args.page_size, export=args.json)
        print(fhir_json.dumps(asdict(page)).decode() if args.json else page_text(page))
    else:
        summary = ws.chart.summary(ws.session, args.patient_id, export=args.json)
        print(fhir_json.dumps(asdict(summary)).decode() if args.json else summary_text(summary))
    return 0


def cmd_store_check(args, ws, secrets: Secrets) -> int:
    problems = ws.check_store()
    emit(args, {"intact": not problems, "problems": problems},
         "Store intact: every page decrypts and its structure is sound." if not problems else
         "Store DAMAGED:\n" + "\n".join(f"  - {p}" for p in problems)
         + "\nRestore the store directory from its latest backup, or ask IT to.")
    return 0 if not problems else 1


def cmd_recovery_key(args, ws, secrets: Secrets) -> int:
    key = ws.create_recovery_key()
    emit(args, {"recovery_key": key},
         f"IT recovery key (shown once; print it and lock it away):\n\n    {key}\n")
    return 0


def cmd_recover(args, env: Environment, secrets: Secrets) -> int:
    key = secrets.ask("recovery key", "HEARTH_RECOVERY_KEY")
    password = secrets.ask(f"new password for {args.recover_user}", "HEARTH_NEW_PASSWORD",
                           confirm=True)
    done = recover_store(env, args.store, key, args.recover_user, password)
    lines = [f"Set a new password for '{done.user}'."]
    if done.reenrolled:
        lines.append("This computer was enrolled for the store with a new device secret.")
    if done.users_needing_password:
        lines.append("These users need a new password from an admin (hearth user passwd "
                     f"NAME): {', '.join(done.users_needing_password)}.")
    emit(args, done.__dict__, "\n".join(lines))
    return 0


def emit(args, data: dict, text: str) -> None:
    print(fhir_json.dumps(data).decode() if args.json else text)
