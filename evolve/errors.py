"""Errors of the search engine."""


class EvolveError(Exception):
    """Base class of every error raised by `evolve`."""


class SeedFailed(EvolveError):
    """Every seed candidate the task gave failed verification."""


class UnknownProposer(EvolveError):
    """`proposer.kind` names no registered proposer and no importable `module:Class`."""


class ProposerConfigError(EvolveError):
    """The task's `proposer:` mapping has a missing or bad option."""


class ModelCallFailed(EvolveError):
    """A language-model request failed for good (after its retries)."""


class UnusableReply(EvolveError):
    """A model reply held no usable edit; `reason` names why (empty, no code, diff not found)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
