"""The docking defaults, written once: the option dataclasses (`docking.inference.infer.DockingOptions`,
`docking.inference.hybrid.HybridOptions`, `docking.training.vina_poses.PoseSettings`,
`docking.training.pose_labels.LabelSettings`) and the `discover dock` command line take theirs from
here. Plain values in a module that imports nothing, so the command line reads them without
the seconds torch and RDKit take to import."""

DEVICE = "cpu"
POSE_MODE = "fit"  # the start conformer placed on the network's prediction
CONFORMER_SEED = 0
SAMPLES = 1  # start conformers docked per complex, ranked by predicted RMSD
BATCH_SIZE = 8  # complexes per model call: suits a CPU; larger on a GPU
CONFORMER_WORKERS = 1  # processes embedding start conformers
VINA_EXHAUSTIVENESS = 8
VINA_SEED = 1  # non-zero: Vina takes 0 as "random"
