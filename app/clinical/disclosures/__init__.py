"""Accounting of disclosures (ONC 170.315(d)(11), HIPAA 164.528)."""
