"""Ligand preparation for Vina, mirroring DOCKSTRING's pipeline (García-Ortegón et al. 2022).

dockstring (``dockstring/target.py``, ``Target.dock``) takes a canonical, uncharged,
one-fragment molecule, protonates it at pH 7.4 with Open Babel (``obabel -p 7.4``), adds
hydrogens, embeds one conformer with RDKit (``EmbedMolecule``, the docking seed, at most 10
attempts per atom), relaxes it with MMFF94 (UFF where MMFF94 has no parameters; at most
1,000 iterations, and a run that does not converge is an error) and writes the PDBQT with
Open Babel (Gasteiger charges, amide bonds and rings rigid).

Here the same steps run in-process: Open Babel's Python module (the ``openbabel-wheel``
package, Open Babel 3.1.1 as dockstring requires) applies the same pH model, RDKit embeds
and relaxes with the same calls, and meeko writes the PDBQT (RDKit's Gasteiger charges,
amide bonds and macrocycles rigid, non-polar hydrogens merged). Vina's scoring function
ignores partial charges, so the PDBQT writer changes the score only through atom types
and torsion trees. ``protonation="none"`` skips the pH model and docks the neutral molecule.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial

from meeko import MoleculePreparation, PDBQTWriterLegacy
from openbabel import openbabel as ob
from rdkit import Chem
from rdkit.Chem import AllChem

from science.vina.errors import LigandPreparationError

log = logging.getLogger(__name__)

PROTONATIONS = ("openbabel", "none")
EMBED_ATTEMPTS_PER_ATOM = 10  # dockstring's `embed_mol(attempt_factor=10)`
FORCE_FIELD_ITERATIONS = 1000  # dockstring's `refine_mol_with_ff(max_iters=1000)`
# Outside dockstring's rules (a given ligand to redock): the most iterations a large, floppy
# ligand gets; the stapled peptides of the PDBbind time split (112-132 heavy atoms) converge
# in 2,000-7,000.
RELAXED_FORCE_FIELD_ITERATIONS = 10_000

ob.obErrorLog.SetOutputLevel(ob.obError)  # Open Babel's warnings would flood stderr


@dataclass(frozen=True)
class Ligand:
    """A ligand ready for Vina: the protonated SMILES, its 3D molecule and its PDBQT text."""

    smiles: str
    mol: Chem.Mol
    pdbqt: str


def protonate(smiles: str, ph: float = 7.4) -> str:
    """Open Babel's protonation state at `ph`, as ``obabel -:SMILES -ismi -ocan -p PH`` gives."""
    conversion = ob.OBConversion()
    conversion.SetInAndOutFormats("smi", "can")
    conversion.AddOption("p", ob.OBConversion.GENOPTIONS, str(ph))
    molecule = ob.OBMol()
    if not conversion.ReadString(molecule, smiles):
        raise LigandPreparationError(f"Open Babel cannot read the SMILES '{smiles[:80]}'")
    molecule.DoTransformations(conversion.GetOptions(ob.OBConversion.GENOPTIONS), conversion)
    return conversion.WriteString(molecule).split()[0]


def protonated_mol(mol: Chem.Mol, protonation: str, ph: float) -> Chem.Mol:
    """`mol` in the protonation state the docking uses (``"openbabel"`` at `ph`, or ``"none"``)."""
    if protonation not in PROTONATIONS:
        raise LigandPreparationError(
            f"unknown protonation '{protonation}'; choose one of {', '.join(PROTONATIONS)}"
        )
    if protonation == "none":
        return Chem.Mol(mol)
    smiles = protonate(Chem.MolToSmiles(mol), ph)
    protonated = Chem.MolFromSmiles(smiles)
    if protonated is None or len(Chem.GetMolFrags(protonated)) != 1:
        raise LigandPreparationError(
            f"Open Babel's protonated form '{smiles}' at pH {ph} is not one RDKit molecule"
        )
    return protonated


def embed(mol: Chem.Mol, seed: int, dockstring_rules: bool = True) -> Chem.Mol:
    """One 3D conformer with hydrogens (RDKit ETKDG, then MMFF94 or UFF), as dockstring does.

    With `dockstring_rules` off, a ligand those rules reject for its size alone is kept:
    ETKDG starts from random coordinates when it fails from the distance-geometry
    eigenvectors (RDKit's advice for large molecules), and the force field gets up to
    `RELAXED_FORCE_FIELD_ITERATIONS` iterations."""
    mol = Chem.AddHs(mol)
    attempts = EMBED_ATTEMPTS_PER_ATOM * mol.GetNumAtoms()
    found = AllChem.EmbedMolecule(mol, randomSeed=seed, maxAttempts=attempts) == 0
    if not found and not dockstring_rules:
        found = (
            AllChem.EmbedMolecule(mol, randomSeed=seed, maxAttempts=attempts, useRandomCoords=True)
            == 0
        )
    if not found:
        raise LigandPreparationError(
            f"RDKit found no 3D conformer in {attempts} attempts: strained or impossible "
            "geometry (e.g. a trans double bond in a small ring)"
        )
    iterations = FORCE_FIELD_ITERATIONS if dockstring_rules else RELAXED_FORCE_FIELD_ITERATIONS
    if not _relax(mol, iterations):
        raise LigandPreparationError(
            f"the force-field relaxation did not converge in {iterations} iterations"
            + (" (dockstring rejects such ligands too)" if dockstring_rules else "")
            + ": propose a less floppy molecule"
        )
    return mol


def _relax(mol: Chem.Mol, iterations: int) -> bool:
    """MMFF94 (UFF where MMFF94 has no parameters) in runs of dockstring's 1,000 iterations
    up to `iterations` in all; True when it converged."""
    if AllChem.MMFFHasAllMoleculeParams(mol):
        run = partial(AllChem.MMFFOptimizeMolecule, mol, mmffVariant="MMFF94")
    elif AllChem.UFFHasAllMoleculeParams(mol):
        run = partial(AllChem.UFFOptimizeMolecule, mol)
    else:
        raise LigandPreparationError("neither MMFF94 nor UFF has parameters for every atom")
    for _ in range(iterations // FORCE_FIELD_ITERATIONS):
        if run(maxIters=FORCE_FIELD_ITERATIONS) == 0:
            return True
    return False


def write_pdbqt(mol: Chem.Mol) -> str:
    """meeko's PDBQT of a 3D molecule with hydrogens: rigid amides and macrocycles."""
    try:
        setups = MoleculePreparation(rigid_macrocycles=True).prepare(mol)
        text, ok, error = PDBQTWriterLegacy.write_string(setups[0])
    except (RuntimeError, ValueError, KeyError, IndexError) as exc:
        raise LigandPreparationError(f"meeko cannot type this ligand for Vina: {exc}") from exc
    if not ok:
        raise LigandPreparationError(
            f"meeko cannot write a PDBQT for this ligand: {' '.join(error.split())}"
        )
    return text


def prepare_ligand(
    mol: Chem.Mol,
    seed: int,
    protonation: str = "openbabel",
    ph: float = 7.4,
    dockstring_rules: bool = True,
) -> Ligand:
    """A standardized molecule (no hydrogens, one fragment) made into a Vina ligand.
    `dockstring_rules` off keeps a large given ligand dockstring would reject (`embed`)."""
    charged = protonated_mol(mol, protonation, ph)
    embedded = embed(charged, seed, dockstring_rules)
    log.debug("ligand %s embedded with seed %d", Chem.MolToSmiles(charged), seed)
    return Ligand(smiles=Chem.MolToSmiles(charged), mol=embedded, pdbqt=write_pdbqt(embedded))
