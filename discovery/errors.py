"""Errors of the application layer."""


class DiscoveryError(Exception):
    """Base class of every error raised by `discovery`."""


class TaskSpecError(DiscoveryError):
    """A task YAML is malformed: the message names the file, the field and what was expected."""
