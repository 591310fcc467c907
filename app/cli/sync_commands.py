"""`hearth sync`, `hearth conflicts` and `hearth sync-credentials`: sync from the command line.

`hearth sync --once` runs one cycle, which sends until the outbox is empty, and exits 0 when
it completed, 6 when it did not: a fault stopped it, changes are still queued, or the server
could not show everything that changed (the sentence on stderr says why; nothing is lost,
the work stays queued). What the server cannot show at all (deletes, on a server without
history) is said on every run. Without --once it runs a cycle every --interval seconds,
printing one status line per cycle, until Ctrl+C.

Only users allowed to sync may (Permission.SYNC), and only with a server the IT policy names:
`--server` may pick one of `sync.allowed_servers`, which is only read from (the outbox and
the audit trail wait for `sync.server`); any other is refused with exit 4 before any request.
Sign-in goes to the policy's `sync.token_url` or the server's smart-configuration, and a
credential is only sent to the token URL it was saved for. `--reset-cursor --reason TEXT`
(admins) forgets where pulls from the server stopped, so the next sync reads it all again.
"""

import argparse
import sys
import threading
from datetime import datetime
from pathlib import Path

import orjson

from app.cli.args import LARGEST_ID, number, whole_number
from app.clinical.sync.conflicts import CHOICES, DOUBLE_BOOKING
from app.clinical.sync.connection import SyncOverrides, plain_client, policy_ca_bundle
from app.clinical.visits.double_booking import Decision, DoubleBookings
from app.display_time import when_text
from app.errors import UsageError
from app.security.policy import SyncPolicy
from app.security.roles import Permission
from app.security.sync_servers import choose_server
from app.store.sync_side import StoreSyncSide
from fhir_common import fhir_json
from sync.auth import discover_token_url, public_jwk
from sync.credentials import SyncCredentials
from sync.servers import cursor_prefix
from sync.worker import SyncStatus

SYNC_INCOMPLETE = 6


def register(commands, data: argparse.ArgumentParser, signed_in) -> None:
    sync = commands.add_parser("sync", parents=[data], help="sync with a FHIR R4 server")
    sync.add_argument("--server", metavar="URL", help="one of the IT policy's "
                      "sync.allowed_servers, only read from (default: the policy's sync.server)")
    sync.add_argument("--once", action="store_true", help="one cycle, then exit")
    sync.add_argument("--interval", type=number(1, 86400), metavar="SECONDS",
                      help="between cycles (default: the policy's sync.interval_seconds)")
    sync.add_argument("--organization", metavar="REF",
                      help="pull only this clinic's patients, e.g. Organization/123")
    sync.add_argument("--ca-bundle", type=Path, metavar="FILE",
                      help="trust the server certificates this CA file signs")
    sync.add_argument("--client-id", metavar="ID",
                      help="sign in as this client (credentials from hearth sync-credentials)")
    sync.add_argument("--scope", help="scopes to ask for (default: the policy's sync.scope)")
    sync.add_argument("--reset-cursor", action="store_true",
                      help="admins: forget where pulls from the server stopped, then exit")
    sync.add_argument("--reason", metavar="TEXT", help="why the cursor is reset (audited)")
    sync.set_defaults(run=signed_in(cmd_sync))

    creds = commands.add_parser("sync-credentials", parents=[data],
                                help="keep a sync client's secret or key in the OS keyring")
    creds.add_argument("--server", required=True, metavar="URL")
    creds.add_argument("--client-id", required=True, metavar="ID")
    creds.add_argument("--token-url", metavar="URL", help="the only sign-in address these "
                       "credentials go to (default: the policy's sync.token_url, else the "
                       "server's smart-configuration)")
    given = creds.add_mutually_exclusive_group(required=True)
    given.add_argument("--secret-stdin", action="store_true",
                       help="read the client secret from standard input")
    given.add_argument("--private-key", type=Path, metavar="FILE",
                       help="a PEM private key (RSA or EC P-384) for SMART Backend Services")
    creds.set_defaults(run=signed_in(cmd_sync_credentials))

    conflicts = commands.add_parser("conflicts", help="sync conflicts").add_subparsers(
        title="conflicts commands", metavar="ACTION", required=True)
    listing = conflicts.add_parser("list", parents=[data], help="conflicts waiting for you")
    listing.add_argument("--all", action="store_true", help="resolved ones too")
    listing.set_defaults(run=signed_in(cmd_conflicts_list))
    show = conflicts.add_parser("show", parents=[data], help="local, server and base side by side")
    show.add_argument("conflict_id", type=whole_number(1, LARGEST_ID), metavar="ID")
    show.set_defaults(run=signed_in(cmd_conflicts_show))
    resolve = conflicts.add_parser("resolve", parents=[data], help="decide a conflict")
    resolve.add_argument("conflict_id", type=whole_number(1, LARGEST_ID), metavar="ID")
    resolve.add_argument("--keep", nargs="+", metavar="local|remote|merged FILE",
                         help="which version to keep; a merged one is read from FILE (JSON)")
    booking = resolve.add_argument_group("a double booking")
    booking.add_argument("--overbook", action="store_true", help="keep both (with --reason)")
    booking.add_argument("--move", type=moment, metavar="YYYY-MM-DDTHH:MM",
                         help="move the appointment booked here to this local time")
    booking.add_argument("--cancel", choices=["here", "other"],
                         help="cancel the one booked here or the other one (with --reason)")
    booking.add_argument("--reason", metavar="TEXT", help="why (kept on the appointment)")
    resolve.set_defaults(run=signed_in(cmd_conflicts_resolve))


def cmd_sync(args, ws, secrets) -> int:
    ws.session.require(Permission.MAINTAIN_STORE if args.reset_cursor else Permission.SYNC)
    if args.reset_cursor:
        return _reset_cursor(args, ws, choose_server(ws.policy.sync, args.server).base)
    asked = SyncOverrides(args.server, args.interval, args.organization, args.ca_bundle,
                          args.client_id, args.scope)
    worker = ws.sync_worker(args.env.keyring_backend, asked,
                            on_status=lambda s: _print_status(args, s))
    try:
        worker.connect()  # sign in now: a refusal ends the command with its sentence
        if args.once:
            status = worker.run_once()
            return 0 if status.last_error is None else SYNC_INCOMPLETE
        worker.start()
        threading.Event().wait()  # until Ctrl+C
    finally:
        worker.stop()
    return 0


def _reset_cursor(args, ws, server: str) -> int:
    if not (args.reason or "").strip():
        raise UsageError("Say why with --reason TEXT: a reset is recorded in the audit trail.")
    local = StoreSyncSide(ws.store, ws.session.user, str(ws.session.role))
    count = local.forget_cursors(cursor_prefix(server), server, args.reason.strip())
    print(f"Reset {count} saved pull positions for {server}: the next sync reads "
          "everything from that server again.")
    return 0


def _print_status(args, status: SyncStatus) -> None:
    data = {"online": status.online, "pending": status.pending, "conflicts": status.conflicts,
            "last_success": status.last_success, "error": status.last_error,
            "notices": list(status.notices)}
    if status.last_report is not None:
        report = status.last_report
        data |= {"sent": report.pushed.sent, "merged": report.pushed.merged + report.pulled.merged,
                 "received": report.pulled.received, "set_aside": report.pushed.set_aside,
                 "audit_uploaded": report.audit.uploaded, "round_trips": report.pushed.round_trips}
    if args.json:
        print(fhir_json.dumps(data).decode(), flush=True)
        return
    if status.last_error:
        print(f"hearth: sync did not complete: {status.last_error}", file=sys.stderr, flush=True)
    if status.last_report is not None:
        print(f"{'Partly synced' if status.last_error else 'Synced'}: sent {data['sent']}, "
              f"received {data['received']}, merged {data['merged']}, audit events uploaded "
              f"{data['audit_uploaded']}.", flush=True)
    for item in data.get("set_aside", []):
        print(f"  set aside (the server refused it): {item}", flush=True)
    for notice in status.notices:
        print(f"Note: {notice}", flush=True)
    print(f"Waiting: {status.pending} changed records to send, {status.conflicts} conflicts "
          "for a person to resolve (hearth conflicts list).", flush=True)


def cmd_sync_credentials(args, ws, secrets) -> int:
    ws.session.require(Permission.MAINTAIN_STORE)
    store = SyncCredentials(args.env.keyring_backend())
    preset = ws.policy.sync
    args.ca_bundle = policy_ca_bundle(preset)
    if args.secret_stdin:
        secret = sys.stdin.readline().rstrip("\r\n")
        if not secret:
            raise UsageError("No client secret on standard input.")
        token_url = _token_url_to_bind(args, preset)
        store.save_secret(args.server, args.client_id, secret, token_url)
        print(f"Saved the client secret for '{args.client_id}' at {args.server} in the OS "
              f"keyring, to be sent only to {token_url}.")
        return 0
    pem = args.private_key.read_text()
    token_url = _token_url_to_bind(args, preset)
    store.save_private_key(args.server, args.client_id, pem, token_url)
    print(f"Saved the private key for '{args.client_id}' at {args.server} in the OS keyring, "
          f"to sign in only at {token_url}. Register this public key (JWKS) with the server "
          "for the client:")
    print(fhir_json.dumps({"keys": [public_jwk(pem)]}, option=orjson.OPT_INDENT_2).decode())
    return 0


def _token_url_to_bind(args, preset: SyncPolicy) -> str:
    """Where the saved credential may be sent: as the admin says, else as the policy
    says, else as the server's smart-configuration says now."""
    if args.token_url or preset.token_url:
        return args.token_url or preset.token_url
    with plain_client(args.ca_bundle) as client:
        return discover_token_url(args.server, client)


def cmd_conflicts_list(args, ws, secrets) -> int:
    conflicts = ws.conflicts.list(ws.session, include_resolved=args.all)
    if args.json:
        print(fhir_json.dumps([_summary(c) for c in conflicts]).decode())
        return 0
    if not conflicts:
        print("No sync conflicts waiting.")
    for c in conflicts:
        state = f"resolved: kept {c.resolution}" if c.resolved_at else "open"
        print(f"{c.id:>4}  {c.reference:<50}  {c.kind:<8}  {state}\n      {c.reason}")
    return 0


def cmd_conflicts_show(args, ws, secrets) -> int:
    c = ws.conflicts.get(ws.session, args.conflict_id)
    if args.json:
        print(fhir_json.dumps({**_summary(c), "local": c.local, "remote": c.remote,
                            "base": c.base}).decode())
        return 0
    found = when_text(c.detected_at, with_date=True)
    print(f"Conflict {c.id}: {c.reference} ({c.kind}), found at {found}\n{c.reason}\n")
    for title, version in (("HERE (local)", c.local), ("SERVER (remote)", c.remote),
                           ("BEFORE BOTH (base)", c.base)):
        text = fhir_json.dumps(version, option=orjson.OPT_INDENT_2).decode() if version else (
            "(deleted or absent)")
        print(f"--- {title} ---\n{text}\n")
    print(f"Decide with: hearth conflicts resolve {c.id} " + (
        "--overbook --reason TEXT | --move YYYY-MM-DDTHH:MM | --cancel here|other --reason TEXT"
        if c.kind == DOUBLE_BOOKING else "--keep local|remote|merged FILE"))
    return 0


def moment(text: str) -> datetime:
    """An argument type: a local date and time, YYYY-MM-DDTHH:MM."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a date and time: write it as YYYY-MM-DDTHH:MM") from None


def cmd_conflicts_resolve(args, ws, secrets) -> int:
    booking = [name for name in ("overbook", "move", "cancel") if getattr(args, name)]
    if booking and args.keep or len(booking) > 1:
        raise UsageError("Say one decision: --keep, --overbook, --move or --cancel.")
    if booking:
        return _resolve_double_booking(args, ws)
    if not args.keep:
        raise UsageError("Say --keep local, --keep remote or --keep merged FILE (for a double "
                         "booking: --overbook, --move or --cancel).")
    keep, *files = args.keep
    if keep not in CHOICES or len(files) != (keep == "merged"):
        raise UsageError("Say --keep local, --keep remote or --keep merged FILE.")
    merged = None
    if files:
        try:
            merged = fhir_json.loads(Path(files[0]).read_bytes())
        except (OSError, fhir_json.JSONDecodeError) as exc:
            raise UsageError(f"Could not read {files[0]} as JSON: {exc}") from exc
    c = ws.conflicts.resolve(ws.session, args.conflict_id, keep, merged)
    print(fhir_json.dumps(_summary(c)).decode() if args.json else
          f"Conflict {c.id} resolved: kept {c.resolution}. It is sent at the next sync.")
    return 0


def _resolve_double_booking(args, ws) -> int:
    action = ("overbook" if args.overbook else "move" if args.move
              else f"cancel-{args.cancel}")
    if action != "move" and not (args.reason or "").strip():
        raise UsageError("Say why with --reason TEXT: an overbooking or a cancellation keeps "
                         "its reason on the appointment.")
    done = DoubleBookings(ws.store, ws.changes).resolve(
        ws.session, args.conflict_id, Decision(action, args.reason, args.move))
    print(fhir_json.dumps({"id": args.conflict_id, "resolution": done}).decode() if args.json
          else f"Conflict {args.conflict_id} resolved: {done}. It is sent at the next sync.")
    return 0


def _summary(c) -> dict:
    return {"id": c.id, "resource": c.reference, "kind": c.kind, "reason": c.reason,
            "patient": c.patient_id, "detected_at": c.detected_at, "resolved_at": c.resolved_at,
            "resolution": c.resolution, "resolved_by": c.resolved_by}
