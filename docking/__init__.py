"""FABFlex-style flexible docking, in five wings.

- `docking.network`: the equivariant network and the pose scorer (layers, model, losses,
  featurization, checkpoints);
- `docking.training`: training data (complexes, Vina poses, labelled poses) and trainers;
- `docking.inference`: requests to poses (the batch table, pockets, conformers, the model,
  the hybrid (pose ranker), scorer and Vina modes, PoseBusters flags);
- `docking.poses`: poses as molecules and their metrics (symmetric RMSD);
- `docking.relaxation`: OpenMM relaxation of a pose in its pocket.

`docking.structures` (reading proteins and ligands) and `docking.errors` serve them all.
"""
