"""Errors of the docking engine: one base class, a few specific ones.

Messages say what went wrong, where (the file or complex) and how to fix it.
"""

from __future__ import annotations


class DockingError(Exception):
    """Base class of every error raised by `docking`."""


class StructureError(DockingError):
    """A protein or ligand input cannot be read (corrupt, empty or unsupported file)."""


class CheckpointError(DockingError):
    """A model checkpoint is missing, corrupt or built for another configuration."""


class DockingConfigError(DockingError):
    """A training or inference configuration is invalid."""


class RelaxError(DockingError):
    """A pose cannot be relaxed: no force-field parameters, or PDBFixer/OpenMM failed."""
