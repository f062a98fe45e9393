"""Read proteins (PDB, via Biopython) and ligands (SDF, MOL2, SMILES, via RDKit).

Proteins become one record per standard amino-acid residue: Cα, backbone N/C/O and the
residue type, over all chains of the first model. Waters and hetero groups are dropped;
Biopython keeps the highest-occupancy alternate location of each atom. A residue with no
Cα is skipped; a missing N, C or O is filled with the Cα position (logged).

Ligands keep their hydrogens and bond orders. A SMILES string gets one 3D conformer from
RDKit's ETKDG (Riniker & Landrum, 2015). Anything unreadable raises `StructureError`
naming the file, with RDKit's reason in the message (RDKit's own log lines are held back,
so that a failure is said once). A ligand file holds one molecule: a second record is an
error, never silently dropped.

A ligand to dock (`load_ligand`) must also lie in the docking domain: closed shell, only
the elements the model and Vina type (`LIGAND_ELEMENTS`: no metal complexes or
organometallics) and at most `MAX_LIGAND_HEAVY_ATOMS` heavy atoms (the largest ligand of
the PDBbind time-split test set has 147; a 200-atom molecule took Vina 232 s).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from Bio.PDB import PDBParser
from Bio.PDB.Model import Model
from Bio.PDB.Polypeptide import is_aa
from rdkit import Chem, rdBase
from rdkit.Chem import AllChem

from docking.errors import StructureError

log = logging.getLogger(__name__)

AMINO_ACIDS = (
    "ALA ARG ASN ASP CYS GLN GLU GLY HIS ILE LEU LYS MET PHE PRO SER THR TRP TYR VAL".split()
)
UNKNOWN_RESIDUE = len(AMINO_ACIDS)  # index of any non-standard amino acid (e.g. MSE)
BACKBONE_ATOMS = ("N", "C", "O")
LIGAND_SUFFIXES = (".sdf", ".mol", ".mol2")
# Elements the model featurizes (`docking.network.featurize.ELEMENTS`) and Vina types, plus H.
LIGAND_ELEMENTS = frozenset("H B C N O F P S Cl Br I".split())
MAX_LIGAND_HEAVY_ATOMS = 150
_BLOCK_READERS = {"sdf": Chem.MolFromMolBlock, "mol2": Chem.MolFromMol2Block}


@dataclass(frozen=True)
class Protein:
    """Residue-level protein: one row per amino-acid residue, in file order.

    Shapes: ca (R, 3), backbone (R, 3, 3) for N, C, O; residue_type (R,) in 0..20.
    `residue_ids` are (chain, number, insertion code) for writing PDB files back.
    """

    name: str
    ca: np.ndarray
    backbone: np.ndarray
    residue_type: np.ndarray
    residue_ids: tuple[tuple[str, int, str], ...]

    @property
    def num_residues(self) -> int:
        """Number of residues kept."""
        return len(self.residue_type)


def read_model(text: str, name: str) -> Model:
    """The first model of PDB text as a Biopython `Model`; `name` appears in errors."""
    try:
        models = list(PDBParser(QUIET=True).get_structure(name, io.StringIO(text)))
    except Exception as error:  # Biopython raises many types on corrupt input
        raise StructureError(f"{name}: not a readable PDB file ({error})") from error
    if not models:
        raise StructureError(f"{name}: no ATOM records; is this a PDB file?")
    return models[0]


def parse_protein(text: str, name: str) -> Protein:
    """Parse PDB text into a `Protein`; `name` (a path or id) appears in errors."""
    return protein_from_model(read_model(text, name), name)


def protein_from_model(model: Model, name: str) -> Protein:
    """The residue-level `Protein` of a Biopython model (see the module docstring)."""
    ca, backbone, types, ids = [], [], [], []
    filled = 0
    for chain in model:
        for residue in chain:
            if residue.id[0] != " " or not is_aa(residue, standard=False) or "CA" not in residue:
                continue
            ca_xyz = residue["CA"].coord
            atoms = [residue[a].coord if a in residue else ca_xyz for a in BACKBONE_ATOMS]
            filled += sum(a not in residue for a in BACKBONE_ATOMS)
            ca.append(ca_xyz)
            backbone.append(atoms)
            resname = residue.get_resname()
            types.append(AMINO_ACIDS.index(resname) if resname in AMINO_ACIDS else UNKNOWN_RESIDUE)
            ids.append((chain.id, int(residue.id[1]), residue.id[2].strip()))
    if not ca:
        raise StructureError(
            f"{name}: no amino-acid residue with a CA atom; give a protein PDB file"
        )
    if filled:
        log.info("%s: %d missing backbone atoms filled with the CA position", name, filled)
    return Protein(
        name=name,
        ca=np.asarray(ca, dtype=np.float64),
        backbone=np.asarray(backbone, dtype=np.float64),
        residue_type=np.asarray(types, dtype=np.int64),
        residue_ids=tuple(ids),
    )


def read_protein_text(path: Path | str) -> str:
    """The text of a protein file; an unreadable file is a `StructureError` naming it."""
    try:
        return Path(path).read_text(errors="replace")
    except OSError as error:
        raise StructureError(f"{path}: cannot read protein file ({error.strerror})") from error


def load_protein(path: Path | str) -> Protein:
    """Read a PDB file into a `Protein`."""
    return parse_protein(read_protein_text(path), str(path))


def parse_ligand_block(text: str, fmt: str, name: str) -> Chem.Mol:
    """Parse an SDF/MOL (`fmt` "sdf") or MOL2 (`fmt` "mol2") block, hydrogens kept."""
    if fmt not in _BLOCK_READERS:
        raise StructureError(f"{name}: unknown ligand format {fmt!r}; use sdf or mol2")
    read = _BLOCK_READERS[fmt]
    with rdBase.BlockLogs():
        mol = read(text, sanitize=True, removeHs=False)
        if mol is None or mol.GetNumAtoms() == 0:
            raise StructureError(
                f"{name}: RDKit cannot read or sanitize this {fmt} ligand "
                f"({_sanitize_problem(read(text, sanitize=False, removeHs=False))}); "
                "check the file, or give the ligand in another format (SDF, MOL2, SMILES)"
            )
    return check_closed_shell(mol, name)


def _sanitize_problem(mol: Chem.Mol | None) -> str:
    """Why RDKit could not sanitize `mol` (read unsanitized), in RDKit's words."""
    if mol is None or mol.GetNumAtoms() == 0:
        return "no atoms read"
    try:
        Chem.SanitizeMol(mol)
    except Exception as error:  # noqa: BLE001 - RDKit raises several sanitization types
        return " ".join(str(error).split())
    return "unknown reason"


def record_count(text: str, fmt: str) -> int:
    """How many molecules an SDF (records ending ``$$$$``) or MOL2 text holds."""
    if fmt == "mol2":
        return text.count("@<TRIPOS>MOLECULE")
    return sum(1 for block in text.split("$$$$") if block.strip())


def check_closed_shell(mol: Chem.Mol, name: str) -> Chem.Mol:
    """`mol` unchanged if no atom carries an unpaired electron; else `StructureError`.

    A radical is almost always a missing hydrogen or a wrong charge in the input, and
    neither the docking model, Vina's atom types nor MMFF describe one: docking it would
    give a pose for a molecule that was not asked for."""
    radicals = [
        f"{atom.GetSymbol()}{atom.GetIdx() + 1}"
        for atom in mol.GetAtoms()
        if atom.GetNumRadicalElectrons() > 0
    ]
    if radicals:
        raise StructureError(
            f"{name}: the ligand has unpaired electrons on atom(s) {', '.join(radicals)} "
            "(a radical, usually a missing hydrogen or charge); give the closed-shell molecule"
        )
    return mol


def load_ligand_file(path: Path | str, fallback: Path | str | None = None) -> Chem.Mol:
    """Read a ligand file (SDF or MOL2); if it fails and `fallback` is given, read that.

    PDBbind practice: load the SDF and fall back to the MOL2 when RDKit cannot sanitize it.
    """
    path = Path(path)
    try:
        fmt = "mol2" if path.suffix.lower() == ".mol2" else "sdf"
        if path.suffix.lower() not in LIGAND_SUFFIXES:
            raise StructureError(f"{path}: ligand files must end in .sdf, .mol or .mol2")
        try:
            text = path.read_text(errors="replace")
        except OSError as error:
            raise StructureError(f"{path}: cannot read ligand file ({error.strerror})") from error
        count = record_count(text, fmt)
        if count > 1:
            raise StructureError(
                f"{path}: holds {count} molecules; dock one ligand per row "
                "(split the file, one CSV row per molecule)"
            )
        return parse_ligand_block(text, fmt, str(path))
    except StructureError:
        if fallback is None:
            raise
        log.info("%s unreadable; falling back to %s", path, fallback)
        return load_ligand_file(fallback)


def smiles_graph(smiles: str) -> Chem.Mol:
    """The molecular graph of a SMILES string with explicit hydrogens, no conformer."""
    with rdBase.BlockLogs():
        mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        raise StructureError(f"SMILES {smiles!r}: RDKit cannot parse it; check the string")
    return Chem.AddHs(check_closed_shell(mol, f"SMILES {smiles!r}"))


def ligand_from_smiles(smiles: str, seed: int = 0) -> Chem.Mol:
    """A 3D molecule with explicit hydrogens from SMILES, embedded with ETKDGv3."""
    return embed_conformer(smiles_graph(smiles), seed=seed, name=f"SMILES {smiles!r}")


def embed_conformer(mol: Chem.Mol, seed: int = 0, name: str = "ligand") -> Chem.Mol:
    """A copy of `mol` (hydrogens added) with one fresh ETKDGv3 conformer.

    Docking starts from such a conformer, never from the input pose, so that no crystal
    geometry leaks into a prediction.
    """
    mol = Chem.AddHs(Chem.Mol(mol), addCoords=mol.GetNumConformers() > 0)
    params = AllChem.ETKDGv3()
    params.randomSeed = seed
    if AllChem.EmbedMolecule(mol, params) != 0:
        params.useRandomCoords = True
        if AllChem.EmbedMolecule(mol, params) != 0:
            raise StructureError(f"{name}: RDKit ETKDG could not embed a 3D conformer")
    return mol


def load_ligand(source: str | Path) -> Chem.Mol:
    """A ligand to dock from a file path (SDF/MOL2, its pose kept) or, if no such file
    exists, a SMILES string (graph with hydrogens and no conformer: docking embeds its own
    start conformers with `embed_conformer`, so embedding here would be wasted ETKDG time);
    checked to lie in the docking domain (`check_docking_domain`)."""
    text = str(source)
    if Path(text).suffix.lower() in LIGAND_SUFFIXES or _is_file(text):
        return check_docking_domain(load_ligand_file(text), text)
    return check_docking_domain(smiles_graph(text), f"SMILES {text!r}")


def check_docking_domain(mol: Chem.Mol, name: str) -> Chem.Mol:
    """`mol` unchanged if its elements are in `LIGAND_ELEMENTS` and it has at most
    `MAX_LIGAND_HEAVY_ATOMS` heavy atoms; else `StructureError` saying which limit."""
    foreign = sorted({a.GetSymbol() for a in mol.GetAtoms()} - LIGAND_ELEMENTS)
    if foreign:
        raise StructureError(
            f"{name}: element(s) {', '.join(foreign)} outside the docking domain (metal "
            f"complexes and organometallics are not modelled; allowed: "
            f"{' '.join(sorted(LIGAND_ELEMENTS))})"
        )
    heavy = mol.GetNumHeavyAtoms()
    if heavy > MAX_LIGAND_HEAVY_ATOMS:
        raise StructureError(
            f"{name}: {heavy} heavy atoms, above the docking limit of "
            f"{MAX_LIGAND_HEAVY_ATOMS} (drug-like ligands; a peptide or polymer this large "
            "is outside the model's and Vina's domain)"
        )
    return mol


def _is_file(text: str) -> bool:
    try:
        return Path(text).is_file()
    except OSError:  # e.g. a SMILES longer than the file-name limit
        return False
