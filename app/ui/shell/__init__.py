"""The window around the screens: start-up (run), sign-in, the main window, the workspace of
one signed-in user, and locking when idle."""
