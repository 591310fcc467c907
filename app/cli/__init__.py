"""The `hearth` command line: `commands` parses and dispatches (the console script's `main`),
with one module per command group (`sync_commands`, `audit_commands`) and what they share
(`args`, `chart_text`, `demo`, `env_secrets`)."""
