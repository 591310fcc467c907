"""The Patients tab: finding a patient and opening the chart."""
