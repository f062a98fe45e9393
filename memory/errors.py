"""Errors of the memory bank."""


class StoreError(Exception):
    """Base class of every error raised by `memory`."""


class RunNotFound(StoreError):
    """No run (or job) with the given id exists in the store."""


class JobNotFound(RunNotFound):
    """No job with the given id exists in the store."""
