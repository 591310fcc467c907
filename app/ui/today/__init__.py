"""The Today tab: the day's appointments, checking patients in, opening their charts."""
