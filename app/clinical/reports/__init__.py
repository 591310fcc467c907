"""Clinic reports: counts over a stretch of days, for the clinic's managers and billing.

Each report is a few aggregate queries: it counts, it never reads a chart, so billing (which
has no READ_CHART) may run it; the one audit row says which report and which days.
"""
