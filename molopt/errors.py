"""Errors of the molecular-optimization package."""


class MoloptError(Exception):
    """Base class of every error raised by `molopt`."""


class InvalidMoleculeError(MoloptError):
    """A SMILES string is not one acceptable molecule (unparsable, several fragments, radical)."""


class UnknownObjectiveError(MoloptError):
    """A task names an objective that `molopt.objectives` does not define."""


class PoolError(MoloptError):
    """The starting pool of molecules for a proposer is missing or empty."""
