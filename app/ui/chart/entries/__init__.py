"""Charting problems, allergies and medications from their chart tabs."""
