"""`hearth schedule`: book, list, move, cancel and mark no-shows from the command line.

Every subcommand of `hearth schedule` is added to the `schedule` group made in `register`,
so the day sheet (`schedule day-sheet`) sits beside booking. Times are ISO 8601; one without
an offset is local time. A booking refused (in the past, outside the provider's hours, on
another booking, an unknown type, an RRULE that does not parse, an overlapping series)
prints its sentence, stores nothing and exits 2; a user who may not book exits 4.
"""

import argparse
from datetime import date, datetime

from app.cli import day_sheet_command
from app.clinical.visits.booking import Booking, BookingRequest
from app.clinical.visits.providers import provider
from app.clinical.visits.recurrence import Series
from app.clinical.visits.schedule import PAGE_SIZE, Appointment
from app.clinical.visits.waitlist import Waitlist, WaitlistRequest
from fhir_common import fhir_json


def register(commands, data: argparse.ArgumentParser, signed_in) -> None:
    schedule = commands.add_parser("schedule", help="the clinic's appointments").add_subparsers(
        title="schedule commands", metavar="ACTION", required=True)
    _register_booking(schedule, data, signed_in)
    day_sheet_command.register(schedule, data, signed_in)


def _register_booking(schedule, data: argparse.ArgumentParser, signed_in) -> None:
    book = schedule.add_parser("book", parents=[data], help="book a patient's appointment")
    book.add_argument("patient_id", metavar="PATIENT_ID")
    book.add_argument("--start", required=True, type=moment, metavar="ISO_DATETIME")
    book.add_argument("--type", required=True, help="an appointment type, e.g. Follow-up")
    book.add_argument("--provider", metavar="USER", help="the clinician's user name "
                      "(default: you, if you see patients; else whoever is free)")
    book.add_argument("--repeat", metavar="RRULE", help="repeat as an RFC 5545 rule, e.g. "
                      "FREQ=WEEKLY;COUNT=6 (one appointment per occurrence)")
    book.add_argument("--overbook", metavar="REASON", help="book over another appointment, "
                      "saying why (the policy limits how many an hour)")
    book.add_argument("--room", metavar="NAME", help="one of the clinic's rooms, e.g. 'Room 1'")
    book.set_defaults(run=signed_in(cmd_book))

    listing = schedule.add_parser("list", parents=[data], help="a day's appointments")
    listing.add_argument("--date", required=True, type=day, metavar="YYYY-MM-DD")
    listing.add_argument("--provider", metavar="USER", help="only this clinician's")
    listing.set_defaults(run=signed_in(cmd_list))

    for action, helptext in (("cancel", "cancel an appointment"),
                             ("no-show", "mark an appointment as not attended")):
        sub = schedule.add_parser(action, parents=[data], help=helptext)
        sub.add_argument("appointment_id", metavar="APPOINTMENT_ID")
        sub.add_argument("--reason", metavar="TEXT", help="why (kept on the appointment)")
        if action == "cancel":
            sub.add_argument("--following", action="store_true",
                             help="this and the following appointments of its series")
        sub.set_defaults(run=signed_in(cmd_cancel if action == "cancel" else cmd_no_show))

    move = schedule.add_parser("move", parents=[data], help="move an appointment")
    move.add_argument("appointment_id", metavar="APPOINTMENT_ID")
    move.add_argument("--start", required=True, type=moment, metavar="ISO_DATETIME")
    move.add_argument("--following", action="store_true",
                      help="move the following appointments of its series by as much")
    move.add_argument("--overbook", metavar="REASON", help="move over another appointment")
    move.set_defaults(run=signed_in(cmd_move))

    free = schedule.add_parser("next-free", parents=[data], help="the next free time")
    free.add_argument("--type", required=True, help="an appointment type, e.g. Follow-up")
    free.add_argument("--provider", metavar="USER", help="this clinician (default: anyone)")
    free.add_argument("--after", type=moment, metavar="ISO_DATETIME", help="default: now")
    free.set_defaults(run=signed_in(cmd_next_free))

    wait = schedule.add_parser("waitlist", parents=[data], help="put a patient on the waiting "
                               "list (offered a time when one is cancelled)")
    wait.add_argument("patient_id", metavar="PATIENT_ID")
    wait.add_argument("--type", required=True, help="an appointment type, e.g. Follow-up")
    wait.add_argument("--from", dest="earliest", required=True, type=day, metavar="YYYY-MM-DD")
    wait.add_argument("--to", dest="latest", required=True, type=day, metavar="YYYY-MM-DD")
    wait.add_argument("--provider", metavar="USER", help="only with this clinician")
    wait.set_defaults(run=signed_in(cmd_waitlist))
    fill = schedule.add_parser("fill", parents=[data],
                               help="book a waiting patient into a cancelled appointment's time")
    fill.add_argument("waiting_id", metavar="WAITING_ID")
    fill.add_argument("--into", required=True, metavar="CANCELLED_ID")
    fill.set_defaults(run=signed_in(cmd_fill))

    walk_in = schedule.add_parser("walk-in", parents=[data], help="a patient seen today, now")
    walk_in.add_argument("patient_id", metavar="PATIENT_ID")
    walk_in.add_argument("--provider", metavar="USER", help="default: you, or whoever is free "
                         "soonest")
    walk_in.set_defaults(run=signed_in(cmd_walk_in))
    out = schedule.add_parser("check-out", parents=[data], help="a patient leaves")
    out.add_argument("appointment_id", metavar="APPOINTMENT_ID")
    out.set_defaults(run=signed_in(cmd_check_out))


def moment(text: str) -> datetime:
    """An argument type: an ISO 8601 date and time, local when it has no offset."""
    try:
        return datetime.fromisoformat(text).astimezone()
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a date and time like 2026-03-02T09:30") from None


def day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-03-02") from None


def booking(ws) -> Booking:
    return Booking(ws.store, ws.policy.scheduling, ws.changes)


def cmd_book(args, ws, secrets) -> int:
    request = BookingRequest(args.patient_id, args.start, args.type, args.provider,
                             overbook_reason=args.overbook, room=args.room)
    service = booking(ws)
    if args.repeat is None:
        made, series, note = [service.book(ws.session, request)], None, None
    else:
        booked = Series(service).book(ws.session, request, args.repeat)
        made, series, note = booked.appointments, booked.series_id, booked.capped
    if args.json:
        print(fhir_json.dumps({"appointments": [_data(a) for a in made], "series": series,
                               "rule": args.repeat, "note": note}).decode())
        return 0
    first = made[0]
    if series is None:
        print(f"Booked {first.patient_name} with {first.practitioner}: {_line(first)}.")
    else:
        print(f"Booked {len(made)} appointments of series {series} ({args.repeat}) for "
              f"{first.patient_name} with {first.practitioner}:")
        for a in made:
            print(f"  {_line(a)}")
    if note:
        print(f"Note: {note}")
    return 0


def cmd_list(args, ws, secrets) -> int:
    name = None
    if args.provider:  # a user who is no clinician is refused with a sentence
        with ws.store.read() as conn:
            name = provider(conn, args.provider).name
    shown, first, total = [], 0, None
    while total is None or len(shown) < total:
        page = ws.schedule.today(ws.session, args.date, args.provider, first)
        if not page.appointments:
            break
        shown, first, total = shown + page.appointments, first + PAGE_SIZE, page.total
    if args.json:
        print(fhir_json.dumps([_data(a) for a in shown]).decode())
        return 0
    whose = f" with {name}" if name else ""
    print(f"{args.date:%a %d %b %Y}{whose}: {len(shown)} "
          f"{'appointment' if len(shown) == 1 else 'appointments'}.")
    for a in shown:
        print(f"{a.start:%H:%M}-{a.end or a.start:%H:%M} {a.status:<10} {a.type:<12} "
              f"{a.patient_name:<28} {a.practitioner:<20} {a.id}")
    return 0


def cmd_cancel(args, ws, secrets) -> int:
    service = booking(ws)
    if args.following:
        done = Series(service).cancel_following(ws.session, args.appointment_id, args.reason)
    else:
        done = [service.cancel(ws.session, args.appointment_id, args.reason)]
    offers = Waitlist(service).offers(ws.session, done[0].id)
    if args.json:
        print(fhir_json.dumps({"cancelled": [_data(a) for a in done],
                               "waitlist_offers": [w.__dict__ for w in offers]}).decode())
        return 0
    for a in done:
        print(f"Cancelled {a.patient_name} with {a.practitioner}: {_line(a)}.")
    for w in offers:
        print(f"  Waiting and fits the freed time: {w.patient_name}, {w.type} ({w.id})")
    return 0


def cmd_no_show(args, ws, secrets) -> int:
    a = booking(ws).no_show(ws.session, args.appointment_id, args.reason)
    emit(args, _data(a), f"Marked as not attended: {a.patient_name} with {a.practitioner}, "
                         f"{_line(a)}.")
    return 0


def cmd_move(args, ws, secrets) -> int:
    service = booking(ws)
    if args.following:
        moved = Series(service).move_following(ws.session, args.appointment_id, args.start)
    else:
        moved = [service.move(ws.session, args.appointment_id, args.start, args.overbook)]
    if args.json:
        print(fhir_json.dumps([_data(a) for a in moved]).decode())
        return 0
    for a in moved:
        print(f"Moved {a.patient_name} with {a.practitioner} to {_line(a)}.")
    return 0


def cmd_next_free(args, ws, secrets) -> int:
    slot = booking(ws).next_free(ws.session, args.type, args.provider, args.after)
    weeks = ws.policy.scheduling.search_weeks
    if args.json:
        print(fhir_json.dumps(slot.__dict__ if slot else None).decode())
        return 0
    print(f"{slot.provider_name} ({slot.provider}) is free at {slot.start:%H:%M on %a %d %b %Y}."
          if slot else f"No free time for {args.type} in the next {weeks} weeks.")
    return 0


def cmd_waitlist(args, ws, secrets) -> int:
    w = Waitlist(booking(ws)).add(ws.session, WaitlistRequest(
        args.patient_id, args.type, args.earliest, args.latest, args.provider))
    emit(args, w.__dict__, f"On the waiting list: {w.patient_name}, {w.type}, from "
                           f"{w.earliest} to {w.latest} (appointment {w.id}).")
    return 0


def cmd_fill(args, ws, secrets) -> int:
    a = Waitlist(booking(ws)).fill(ws.session, args.waiting_id, args.into)
    emit(args, _data(a), f"Booked from the waiting list: {a.patient_name} with "
                         f"{a.practitioner}, {_line(a)}.")
    return 0


def cmd_walk_in(args, ws, secrets) -> int:
    a = booking(ws).walk_in(ws.session, args.patient_id, args.provider)
    emit(args, _data(a), f"Walk-in: {a.patient_name} with {a.practitioner}, {_line(a)}, "
                         "checked in.")
    return 0


def cmd_check_out(args, ws, secrets) -> int:
    a = booking(ws).check_out(ws.session, args.appointment_id)
    emit(args, _data(a), f"Checked out: {a.patient_name}, {_line(a)}.")
    return 0


def emit(args, data: dict, text: str) -> None:
    print(fhir_json.dumps(data).decode() if args.json else text)


def _line(a: Appointment) -> str:
    return f"{a.type}, {a.start:%H:%M}-{a.end:%H:%M} on {a.start:%a %d %b %Y} (appointment {a.id})"


def _data(a: Appointment) -> dict:
    return {"id": a.id, "start": a.start.isoformat(timespec="seconds"),
            "end": a.end.isoformat(timespec="seconds") if a.end else None,
            "patient_id": a.patient_id, "patient": a.patient_name, "provider": a.practitioner,
            "type": a.type, "status": a.status}
