"""Poses as molecules and their metrics: coordinates to RDKit molecules, symmetric RMSD."""
