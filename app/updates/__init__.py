"""The in-app update channel: new versions of Hearth from a TUF repository, verified and
staged in the store's folder, never installed over the running program (docs/updates.md).

No Qt here: the window runs `UpdateChannel.check` in the background and `hearth update`
runs it from the command line.
"""
