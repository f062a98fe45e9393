"""AutoDock Vina on the 58 DOCKSTRING targets (García-Ortegón et al. 2022), shared tools.

`targets` finds the receptors and search boxes that the `dockstring` package ships,
`prepare` turns a molecule into a Vina ligand (dockstring's protonation and embedding,
meeko's PDBQT) and `score` docks it with the `vina` Python package. Both the docking-score
oracles (`molopt.vina`) and the docking model's pretraining poses (`docking.training.vina_poses`)
use them, so they live here, below both in the import order.
"""

# Open Babel's pybel is imported before any `vina` import below this package: pybel
# imported after `vina` aborts the process (a SWIG `stop_iteration` thrown across the two
# extension modules), and a user's code may import pybel after docking.
from openbabel import pybel as _pybel  # noqa: E402, F401 - needed for its import order
