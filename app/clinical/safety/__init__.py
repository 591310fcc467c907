"""Medication safety checks, offline: a knowledge pack of rules (pack, packs), and the check of
one drug against a patient's active medications and allergies (check); what an order goes
through before it is saved (prescribing), and each alert kept as a DetectedIssue
(detected_issues)."""
