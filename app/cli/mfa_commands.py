"""`hearth mfa`: the authenticator second factor from the command line, and the code every
signed-in command asks when the policy's "mfa" section says so.

`hearth mfa enrol` (the signed-in user): prints the otpauth:// URI (paste it into an
authenticator app, or make a QR code of it) and the key, asks the code the app then shows,
and prints the ten recovery codes once. `hearth mfa reset USER --reason TEXT` (an admin: a
lost phone, audited with the reason). `hearth mfa status` (an admin): each user, whether
their role requires a second factor and whether they have enrolled.
"""

import argparse

from app.display_time import when_text
from app.errors import UsageError
from app.security.mfa import TOLERANCE_TEXT, SecondFactor
from fhir_common import fhir_json

CODE_VARIABLE = "HEARTH_MFA_CODE"


def register(commands, data: argparse.ArgumentParser, signed_in) -> None:
    mfa = commands.add_parser("mfa", help="the authenticator second factor").add_subparsers(
        title="mfa commands", metavar="ACTION", required=True)
    mfa.add_parser("enrol", parents=[data], help="set up your authenticator app: prints its "
                   "otpauth URI and your recovery codes").set_defaults(
        run=signed_in(cmd_enrol), enrolling=True)
    reset = mfa.add_parser("reset", parents=[data],
                           help="remove a user's authenticator, e.g. a lost phone (admin)")
    reset.add_argument("name")
    reset.add_argument("--reason", required=True, help="why, for the audit trail")
    reset.set_defaults(run=signed_in(cmd_reset))
    mfa.add_parser("status", parents=[data], help="who must use a second factor and who "
                   "has enrolled (admin)").set_defaults(run=signed_in(cmd_status))


def second_factor(args, ws, secrets) -> None:
    """After the password, what the policy asks of this user: a code (from
    HEARTH_MFA_CODE, the next line of --password-stdin, or a prompt), or enrolment first."""
    factor = SecondFactor(ws.store, ws.policy)
    asked = factor.at_sign_in(ws.session)
    if asked == "enrol" and not getattr(args, "enrolling", False):
        raise UsageError(f"{ws.session.user}'s role signs in with an authenticator app as well "
                         "as the password; set one up first: hearth mfa enrol")
    if asked == "code":
        factor.verify(ws.session, secrets.ask("authenticator code", CODE_VARIABLE))


def cmd_enrol(args, ws, secrets) -> int:
    factor = SecondFactor(ws.store, ws.policy)
    enrolment = factor.begin(ws.session)
    print("Add this to your authenticator app (or make a QR code of it):", flush=True)
    print(enrolment.uri)
    print(f"Key, to type instead: {enrolment.secret}")
    print(f"Then type the 6-digit code it shows ({TOLERANCE_TEXT}).", flush=True)
    factor.confirm(ws.session, enrolment, secrets.ask("authenticator code", CODE_VARIABLE))
    print(f"Enrolled {ws.session.user}. Recovery codes (each signs in once if the phone is "
          "lost; keep them away from this computer, they are not shown again):")
    for code in enrolment.recovery_codes:
        print(f"  {code}")
    return 0


def cmd_reset(args, ws, secrets) -> int:
    SecondFactor(ws.store, ws.policy).reset(ws.session, args.name, args.reason)
    print(f"Removed {args.name}'s authenticator; a new one is set up at the next sign-in.")
    return 0


def cmd_status(args, ws, secrets) -> int:
    rows = SecondFactor(ws.store, ws.policy).status(ws.session)
    if args.json:
        print(fhir_json.dumps([r.__dict__ for r in rows]).decode())
        return 0
    print(f"{'USER':<16} {'ROLE':<11} {'REQUIRED':<9} AUTHENTICATOR")
    for r in rows:
        have = (f"enrolled {when_text(r.enrolled_at)}, {r.recovery_codes_left} recovery "
                "codes left" if r.enrolled_at else "not enrolled")
        print(f"{r.name:<16} {r.role:<11} {'yes' if r.required else 'no':<9} {have}")
    return 0
