"""`hearth update check` and `hearth update stage`: the update channel from the command line,
for IT's tooling and for a clinic updating from a USB stick.

Neither signs in: they read the policy's update repository and write only into the store's
folder (STORE/updates), never patient data. `stage` is refused while a sync runs or a note
draft is open on the store (app.store.activity), and prints where the verified file is.
"""

import argparse

from app.bootstrap import Environment
from app.errors import StoreNotFound
from app.store.activity import Activity
from app.store.paths import StorePaths
from app.updates.channel import UpdateChannel
from fhir_common import fhir_json


def register(commands, data: argparse.ArgumentParser, signed_in) -> None:
    update = commands.add_parser("update", help="new versions of Hearth (the TUF update "
                                 "channel)").add_subparsers(title="update commands",
                                                            metavar="ACTION", required=True)
    update.add_parser("check", parents=[data], help="this version and the newest available"
                      ).set_defaults(run=cmd_check)
    update.add_parser("stage", parents=[data], help="download, verify and stage the newest "
                      "version in the store's folder").set_defaults(run=cmd_stage)


def channel(args, env: Environment) -> UpdateChannel:
    if not StorePaths(args.store).exists():
        raise StoreNotFound(f"No Hearth store at {args.store}: updates are kept in the "
                            "store's folder (--store or HEARTH_STORE).")
    return UpdateChannel(env.effective_policy().updates, args.store)


def cmd_check(args, env: Environment, secrets) -> int:
    updates = channel(args, env)
    if not args.json:
        print(f"This is Hearth {updates.installed}.", flush=True)
    offer = updates.check()
    warning = offer.expiry_warning(env.effective_policy().updates.expiry_warning_days)
    if args.json:
        print(fhir_json.dumps({"installed": offer.installed, "newest": offer.newest,
                               "newer": offer.is_newer, "repository": offer.repository,
                               "timestamp_expires": offer.timestamp_expires.isoformat(),
                               "warning": warning}).decode())
        return 0
    print(offer.summary())
    if warning:
        print(warning)
    return 0


def cmd_stage(args, env: Environment, secrets) -> int:
    updates = channel(args, env)
    staged = updates.stage(Activity(args.store))
    if args.json:
        print(fhir_json.dumps({"installed": updates.installed, "staged": str(staged)}).decode())
        return 0
    print(f"Staged and verified: {staged}. It is not installed: IT installs it when Hearth "
          "is closed (docs/updates.md).")
    return 0
