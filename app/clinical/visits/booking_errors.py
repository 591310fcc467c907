"""The refusal of a booking the front desk asked for: bad input, so the CLI exits 2."""

from app.errors import InvalidRecord


class BookingRefused(InvalidRecord):
    """A booking, move, cancellation or series that was not made: nothing was stored. The
    message says what was wrong with what was asked (a time in the past, outside the
    provider's hours, an unknown type, an RRULE that does not parse, ...)."""

    title = "Calendar unchanged"
    exit_code = 2


class AlreadyBooked(BookingRefused):
    """The provider is booked then: the same time may still be overbooked, with a reason
    (the calendar offers it)."""
