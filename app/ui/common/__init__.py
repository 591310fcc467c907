"""What every screen shares: the background executor, the changes relay, messages, the theme
and the one table model."""
