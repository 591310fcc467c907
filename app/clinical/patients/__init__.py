"""Patients: registering, updating and reading a patient, and searching for one."""
