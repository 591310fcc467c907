"""The encrypted local store: SQLCipher through SQLAlchemy, its schema, migrations and keys."""
