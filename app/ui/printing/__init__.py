"""Print…: a patient's documents as PDF, opened from the chart, a claim's details and the
coding dialog; below the screens that open it, as registration is."""
