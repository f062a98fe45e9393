"""Docking requests to poses: the batch table, pockets, conformers, the model or hybrid run."""
