"""Billing's Claims tab: the claims list, its actions and dialogs."""
