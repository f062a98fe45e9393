"""Docking-score oracles: AutoDock Vina on the 58 DOCKSTRING targets (García-Ortegón et al. 2022).

`targets` finds the receptors and search boxes that the `dockstring` package ships,
`prepare` turns a SMILES into a Vina ligand (dockstring's protonation and embedding, meeko's
PDBQT), `score` docks it with the `vina` Python package, `objectives` combines docking
scores and QED as the DOCKSTRING benchmarks do, and `evaluate` is the task evaluator.
"""
