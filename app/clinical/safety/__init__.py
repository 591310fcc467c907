"""Medication safety checks, offline: a knowledge pack of rules (pack, packs), and the check of
one drug against a patient's active medications and allergies (check)."""
