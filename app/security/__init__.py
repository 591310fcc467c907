"""Users, login, roles and permissions, sessions and the audit trail."""
