"""Errors of the application layer."""


class DiscoveryError(Exception):
    """Base class of every error raised by `discovery`."""


class TaskSpecError(DiscoveryError):
    """A task YAML is malformed: the message names the file, the field and what was expected."""


class JobStateError(DiscoveryError):
    """A job verb does not apply to the job's current state (resume a finished job, say)."""


class DaemonError(DiscoveryError):
    """The daemon cannot start or serve (already running, unsafe bind without a token)."""


class ResultsWriteError(DiscoveryError):
    """A run's results folder could not be written (full disk, read-only, permissions)."""
