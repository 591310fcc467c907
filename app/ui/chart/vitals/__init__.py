"""Vitals: the Vitals tab with its trend plots, and recording a set of vitals."""
