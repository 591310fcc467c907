"""Charting on a patient: problems, allergies, medications and vitals, with their trends and
the code sets they are chosen from (ICD-10-CM, medication names)."""
