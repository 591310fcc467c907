"""Visits: the schedule (booking, checking in) and encounters (the visit in progress)."""
