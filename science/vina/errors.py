"""Errors of the AutoDock Vina tools (`science.vina`)."""

from science.errors import ScienceError


class VinaError(ScienceError):
    """Base class of every error raised by `science.vina`."""


class UnknownTargetError(VinaError):
    """A task names a receptor that the targets folder does not hold."""


class LigandPreparationError(VinaError):
    """A molecule cannot be made into a dockable 3D ligand (protonation, embedding, PDBQT)."""


class VinaRunError(VinaError):
    """Vina could not dock a prepared ligand (no pose, or an error inside Vina).

    Not `docking.errors.DockingError`, the docking engine's base error: one name, one class.
    """
