"""IT policies naming sync servers, for the tests that run `hearth sync`."""

import dataclasses
from pathlib import Path

import orjson

from app.bootstrap import Environment
from app.security.policy import SyncPolicy


def name_servers(policy_file: Path, server: str, *allowed: str, **more) -> None:
    """Rewrite the test policy file: `server` is the clinic's, `allowed` may be named."""
    values = orjson.loads(policy_file.read_bytes())
    values["sync"] = {**values.get("sync", {}), "server": server,
                      "allowed_servers": list(allowed), **more}
    policy_file.write_bytes(orjson.dumps(values))


def env_naming(env: Environment, server: str, *allowed: str) -> Environment:
    """The test environment with a policy whose sync server is `server`."""
    sync = SyncPolicy(server=server, allowed_servers=allowed)
    return dataclasses.replace(env, policy=dataclasses.replace(env.policy, sync=sync))
