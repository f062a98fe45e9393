"""Errors of the edit policy (`molopt.edit`)."""

from molopt.errors import MoloptError


class EditError(MoloptError):
    """Base class of the edit policy's errors."""


class TaskParseError(EditError):
    """A task text matches none of the TOMG-Bench templates or short forms understood."""


class EditCheckpointError(EditError):
    """An edit-policy checkpoint is missing, unreadable or of another model."""
