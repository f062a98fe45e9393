"""Errors of the SMILES policy (`molopt.policy`)."""

from molopt.errors import MoloptError


class PolicyError(MoloptError):
    """Base class of the SMILES policy's errors."""


class TokenizerError(PolicyError):
    """A SMILES string holds characters the atom-level tokenizer or its vocabulary lacks."""


class CheckpointError(PolicyError):
    """A policy checkpoint folder is missing, incomplete or does not match its vocabulary."""


class PretrainConfigError(PolicyError):
    """A pretraining configuration is invalid (unknown key, missing data file, bad value)."""
