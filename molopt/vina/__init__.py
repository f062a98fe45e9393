"""Docking-score oracles: AutoDock Vina on the 58 DOCKSTRING targets (García-Ortegón et al. 2022).

The Vina tools themselves (targets, ligand preparation, docking) are `science.vina`;
here `objectives` combines docking scores and QED as the DOCKSTRING benchmarks do, and
`evaluate` is the task evaluator.
"""
