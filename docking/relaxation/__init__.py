"""Pose relaxation in the pocket with OpenMM: pocket cutting, MMFF94 forces, minimization."""
