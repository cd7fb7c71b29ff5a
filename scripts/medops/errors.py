"""Errors that the CLI turns into one clear line and a non-zero exit code."""


class MedopsError(Exception):
    """A problem the user can act on; its message is shown as one line."""
