"""HCPCS Level II codes and place-of-service codes (see README.md)."""
