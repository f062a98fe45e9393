"""Errors of the RePO trainer (configuration, data, checkpoints)."""

from molopt.errors import MoloptError


class RepoError(MoloptError):
    """Base class of every error raised by `molopt.repo`."""


class RepoConfigError(RepoError):
    """A training configuration file is unreadable or names unknown keys or values."""


class RepoDataError(RepoError):
    """A data file is missing or a row cannot be turned into an editing example."""


class RepoCheckpointError(RepoError):
    """A checkpoint is unreadable or does not belong to this trainer."""
