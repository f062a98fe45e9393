"""Errors of the docking-score oracle."""

from molopt.errors import MoloptError


class VinaOracleError(MoloptError):
    """Base class of every error raised by `molopt.vina`."""


class UnknownTargetError(VinaOracleError):
    """A task names a receptor that the targets folder does not hold."""


class LigandPreparationError(VinaOracleError):
    """A molecule cannot be made into a dockable 3D ligand (protonation, embedding, PDBQT)."""


class DockingError(VinaOracleError):
    """Vina could not dock a prepared ligand (no pose, or an error inside Vina)."""
