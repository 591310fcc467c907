"""Billing: visits coded as FHIR Claims (coding, codes, ready_to_bill), then fees, claims,
the 837P and claim status (the claims side)."""
