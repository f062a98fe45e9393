"""The Vina oracle (molopt.vina) against dockstring's own pipeline on five known drugs.

Both dock with the same seed and exhaustiveness; dockstring runs its Open Babel command
line and bundled Vina 1.1.2, the oracle meeko + the `vina` package (docs/molopt.md says how
the two preparations differ). Run:

    .venv/bin/python -m bench.vina_crosscheck
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from bench.record import machine, now, save_record
from molopt.vina.evaluate import evaluate

DRUGS = {  # name: (SMILES, dockstring target)
    "ibuprofen": ("CC(C)Cc1ccc(cc1)C(C)C(=O)O", "PTGS2"),
    "aspirin": ("CC(=O)Oc1ccccc1C(=O)O", "F2"),
    "celecoxib": ("Cc1ccc(cc1)-c1cc(nn1-c1ccc(cc1)S(N)(=O)=O)C(F)(F)F", "PTGS2"),
    "imatinib": ("Cc1ccc(NC(=O)c2ccc(CN3CCN(C)CC3)cc2)cc1Nc1nccc(-c2cccnc2)n1", "ABL1"),
    "albuterol": ("CC(C)(C)NCC(O)c1ccc(O)c(CO)c1", "ADRB2"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="five-drugs")
    args = parser.parse_args()
    import dockstring

    # dockstring calls `obabel`, which openbabel-wheel installs beside this interpreter
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    rows = {}
    for name, (smiles, target) in DRUGS.items():
        start = time.perf_counter()
        reference, _ = dockstring.load_target(target).dock(smiles, num_cpus=1)
        middle = time.perf_counter()
        ours = evaluate(smiles, target=target)["score"]
        rows[name] = {
            "target": target,
            "dockstring": reference,
            "oracle": ours,
            "difference": round(ours - reference, 3),
            "seconds_dockstring": round(middle - start, 1),
            "seconds_oracle": round(time.perf_counter() - middle, 1),
        }
        print(f"{name:>10} {target:>6}: dockstring {reference:7.3f}  oracle {ours:7.3f}")
    save_record("vina_crosscheck", args.label, {"date": now(), "machine": machine(), "rows": rows})


if __name__ == "__main__":
    main()
