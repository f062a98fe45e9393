"""Errors of the search engine."""


class EvolveError(Exception):
    """Base class of every error raised by `evolve`."""


class SeedFailed(EvolveError):
    """Every seed candidate the task gave failed verification."""


class ObjectiveMissing(EvolveError):
    """A valid verdict lacks the task's objective metric."""


class UnknownProposer(EvolveError):
    """`proposer.kind` names no registered proposer and no importable `module:Class`."""
