"""A patient's details for the front desk and billing: the view, and editing them."""
