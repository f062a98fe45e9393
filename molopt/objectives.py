"""Benchmark objectives: weighted-free compositions of oracles, as GuacaMol and PMO define them.

An `Objective` is a tuple of `Term`s (a raw oracle and its score modifier) and a mean
(arithmetic or geometric). The definitions below are GuacaMol's goal-directed benchmarks
(Brown et al. 2019, J. Chem. Inf. Model. 59, 1096; `guacamol/standard_benchmarks.py`) in the
form the PMO benchmark (Gao et al. 2022, "Sample Efficiency Matters: A Benchmark for
Practical Molecular Optimization", NeurIPS Datasets & Benchmarks) scores them through the TDC
oracles: the multi-property objectives and the median molecules use the *geometric* mean,
deco/scaffold hop the arithmetic one. Fingerprints are GuacaMol's count fingerprints (see
`molopt.fingerprints`). Only RDKit is needed; nothing is downloaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from rdkit import Chem

from molopt import oracles
from molopt.errors import UnknownObjectiveError
from molopt.fingerprints import similarity
from molopt.modifiers import (
    MEANS,
    Clipped,
    Complement,
    Gaussian,
    Identity,
    MaxGaussian,
    MinGaussian,
    Modifier,
)
from molopt.molecules import parse_smiles


@dataclass(frozen=True)
class Term:
    """One partial score: a raw oracle on the molecule, then its modifier."""

    name: str
    raw: Callable[[Chem.Mol], float]
    modifier: Modifier = field(default_factory=Identity)

    def score(self, mol: Chem.Mol) -> tuple[float, float]:
        """(raw value, shaped value)."""
        value = self.raw(mol)
        return value, float(self.modifier(value))


@dataclass(frozen=True)
class Scored:
    """An objective's score and, per term, the raw and shaped values."""

    score: float
    raw: dict[str, float]
    shaped: dict[str, float]


@dataclass(frozen=True)
class Objective:
    """A benchmark objective: the `mean` of its terms' shaped scores."""

    name: str
    terms: tuple[Term, ...]
    mean: str = "arithmetic"

    def score(self, mol: Chem.Mol) -> Scored:
        """Score a standardized molecule."""
        values = [term.score(mol) for term in self.terms]
        shaped = [v for _, v in values]
        total = shaped[0] if len(shaped) == 1 else MEANS[self.mean](shaped)
        return Scored(
            score=float(total),
            raw={t.name: r for t, (r, _) in zip(self.terms, values, strict=True)},
            shaped={t.name: s for t, s in zip(self.terms, shaped, strict=True)},
        )


def similar_to(smiles: str, kind: str) -> Callable[[Chem.Mol], float]:
    """Raw oracle: Tanimoto similarity to `smiles` with fingerprint `kind`."""
    return partial(similarity, target_smiles=smiles, kind=kind)


def has_smarts(pattern: str) -> Callable[[Chem.Mol], float]:
    """Raw oracle: 1.0 when `pattern` matches."""
    return partial(oracles.smarts_present, pattern=pattern)


def rediscovery(name: str, smiles: str) -> Objective:
    """GuacaMol rediscovery: ECFP4 (count) Tanimoto similarity to the target, unshaped."""
    return Objective(f"{name}_rediscovery", (Term("similarity", similar_to(smiles, "ECFP4")),))


def similarity_objective(name: str, smiles: str, kind: str, threshold: float) -> Objective:
    """GuacaMol similarity: Tanimoto similarity, full score from `threshold` on."""
    term = Term("similarity", similar_to(smiles, kind), Clipped(upper_x=threshold))
    return Objective(f"{name}_similarity", (term,))


CELECOXIB = "CC1=CC=C(C=C1)C1=CC(=NN1C1=CC=C(C=C1)S(N)(=O)=O)C(F)(F)F"
TROGLITAZONE = "Cc1c(C)c2OC(C)(COc3ccc(CC4SC(=O)NC4=O)cc3)CCc2c(C)c1O"
THIOTHIXENE = "CN(C)S(=O)(=O)c1ccc2Sc3ccccc3C(=CCCN4CCN(C)CC4)c2c1"
ALBUTEROL = "CC(C)(C)NCC(O)c1ccc(O)c(CO)c1"
MESTRANOL = "COc1ccc2[C@H]3CC[C@@]4(C)[C@@H](CC[C@@]4(O)C#C)[C@@H]3CCc2c1"
CAMPHOR = "CC1(C)C2CCC1(C)C(=O)C2"
MENTHOL = "CC(C)C1CCC(C)CC1O"
TADALAFIL = "O=C1N(CC(N2C1CC3=C(C2C4=CC5=C(OCO5)C=C4)NC6=C3C=CC=C6)=O)C"
SILDENAFIL = "CCCC1=NN(C2=C1N=C(NC2=O)C3=C(C=CC(=C3)S(=O)(=O)N4CCN(CC4)C)OCC)C"
OSIMERTINIB = "COc1cc(N(C)CCN(C)C)c(NC(=O)C=C)cc1Nc2nccc(n2)c3cn(C)c4ccccc34"
FEXOFENADINE = "CC(C)(C(=O)O)c1ccc(cc1)C(O)CCCN2CCC(CC2)C(O)(c3ccccc3)c4ccccc4"
RANOLAZINE = "COc1ccccc1OCC(O)CN2CCN(CC(=O)Nc3c(C)cccc3C)CC2"
SITAGLIPTIN = "Fc1cc(c(F)cc1F)CC(N)CC(=O)N3Cc2nnc(n2CC3)C(F)(F)F"
SITAGLIPTIN_VALSARTAN = "NC(CC(=O)N1CCn2c(nnc2C(F)(F)F)C1)Cc1cc(F)c(F)cc1F"
VALSARTAN_SMARTS = "CN(C=O)Cc1ccc(c2ccccc2)cc1"
HOP_START = "CCCOc1cc2ncnc(Nc3ccc4ncsc4c3)c2cc1S(=O)(=O)C(C)(C)C"
HOP_SCAFFOLD = "[#7]-c1n[c;h1]nc2[c;h1]c(-[#8])[c;h0][c;h1]c12"


def qed() -> Objective:
    """GuacaMol "QED": the drug-likeness score itself."""
    return Objective("qed", (Term("qed", oracles.qed),))


def celecoxib_rediscovery() -> Objective:
    """GuacaMol "Celecoxib rediscovery" (ECFP4)."""
    return rediscovery("celecoxib", CELECOXIB)


def troglitazone_rediscovery() -> Objective:
    """GuacaMol "Troglitazone rediscovery" (ECFP4)."""
    return rediscovery("troglitazone", TROGLITAZONE)


def thiothixene_rediscovery() -> Objective:
    """GuacaMol "Thiothixene rediscovery" (ECFP4)."""
    return rediscovery("thiothixene", THIOTHIXENE)


def albuterol_similarity() -> Objective:
    """GuacaMol "Albuterol similarity": FCFP4 similarity, full score from 0.75."""
    return similarity_objective("albuterol", ALBUTEROL, "FCFP4", 0.75)


def mestranol_similarity() -> Objective:
    """GuacaMol "Mestranol similarity": atom-pair similarity, full score from 0.75."""
    return similarity_objective("mestranol", MESTRANOL, "AP", 0.75)


def median1() -> Objective:
    """GuacaMol "Median molecules 1": geometric mean of ECFP4 similarity to camphor and menthol."""
    terms = (
        Term("camphor", similar_to(CAMPHOR, "ECFP4")),
        Term("menthol", similar_to(MENTHOL, "ECFP4")),
    )
    return Objective("median1", terms, "geometric")


def median2() -> Objective:
    """GuacaMol "Median molecules 2": geometric mean of ECFP6 similarity to tadalafil, sildenafil."""
    terms = (
        Term("tadalafil", similar_to(TADALAFIL, "ECFP6")),
        Term("sildenafil", similar_to(SILDENAFIL, "ECFP6")),
    )
    return Objective("median2", terms, "geometric")


def osimertinib_mpo() -> Objective:
    """GuacaMol "Osimertinib MPO": similar (FCFP4) but not too similar (ECFP6), TPSA >= 100,
    logP <= 1; geometric mean."""
    terms = (
        Term("similarity_fcfp4", similar_to(OSIMERTINIB, "FCFP4"), Clipped(upper_x=0.8)),
        Term("similarity_ecfp6", similar_to(OSIMERTINIB, "ECFP6"), MinGaussian(0.85, 0.1)),
        Term("tpsa", oracles.tpsa, MaxGaussian(100.0, 10.0)),
        Term("logp", oracles.logp, MinGaussian(1.0, 1.0)),
    )
    return Objective("osimertinib_mpo", terms, "geometric")


def fexofenadine_mpo() -> Objective:
    """GuacaMol "Fexofenadine MPO": atom-pair similarity, TPSA >= 90, logP <= 4; geometric."""
    terms = (
        Term("similarity", similar_to(FEXOFENADINE, "AP"), Clipped(upper_x=0.8)),
        Term("tpsa", oracles.tpsa, MaxGaussian(90.0, 10.0)),
        Term("logp", oracles.logp, MinGaussian(4.0, 1.0)),
    )
    return Objective("fexofenadine_mpo", terms, "geometric")


def ranolazine_mpo() -> Objective:
    """GuacaMol "Ranolazine MPO": atom-pair similarity, logP >= 7, TPSA >= 95, one fluorine;
    geometric mean."""
    terms = (
        Term("similarity", similar_to(RANOLAZINE, "AP"), Clipped(upper_x=0.7)),
        Term("logp", oracles.logp, MaxGaussian(7.0, 1.0)),
        Term("tpsa", oracles.tpsa, MaxGaussian(95.0, 20.0)),
        Term("fluorine", partial(oracles.atom_count, element="F"), Gaussian(1.0, 1.0)),
    )
    return Objective("ranolazine_mpo", terms, "geometric")


def sitagliptin_mpo() -> Objective:
    """GuacaMol "Sitagliptin MPO": dissimilar (ECFP4) to sitagliptin with its logP, TPSA and
    formula C16H15F6N5O; geometric mean."""
    target = parse_smiles(SITAGLIPTIN)
    terms = (
        Term("similarity", similar_to(SITAGLIPTIN, "ECFP4"), Gaussian(0.0, 0.1)),
        Term("logp", oracles.logp, Gaussian(oracles.logp(target), 0.2)),
        Term("tpsa", oracles.tpsa, Gaussian(oracles.tpsa(target), 5.0)),
        Term("isomer", partial(oracles.isomer_score, formula="C16H15F6N5O")),
    )
    return Objective("sitagliptin_mpo", terms, "geometric")


def valsartan_smarts() -> Objective:
    """GuacaMol "Valsartan SMARTS": valsartan's biphenyl amide SMARTS with sitagliptin's logP,
    TPSA and Bertz complexity; geometric mean."""
    target = parse_smiles(SITAGLIPTIN_VALSARTAN)
    terms = (
        Term("smarts", has_smarts(VALSARTAN_SMARTS)),
        Term("logp", oracles.logp, Gaussian(oracles.logp(target), 0.2)),
        Term("tpsa", oracles.tpsa, Gaussian(oracles.tpsa(target), 5.0)),
        Term("bertz", oracles.bertz, Gaussian(oracles.bertz(target), 30.0)),
    )
    return Objective("valsartan_smarts", terms, "geometric")


def deco_hop() -> Objective:
    """GuacaMol "Deco Hop": keep the quinazoline scaffold and the pharmacophore (PHCO), drop
    the sulfone and the benzothiazole amine decorations; arithmetic mean."""
    terms = (
        Term("pharmacophore", similar_to(HOP_START, "PHCO"), Clipped(upper_x=0.85)),
        Term("no_sulfone", has_smarts("CS([#6])(=O)=O"), Complement()),
        Term("no_benzothiazole", has_smarts("[#7]-c1ccc2ncsc2c1"), Complement()),
        Term("scaffold", has_smarts(HOP_SCAFFOLD)),
    )
    return Objective("deco_hop", terms, "arithmetic")


def scaffold_hop() -> Objective:
    """GuacaMol "Scaffold Hop": keep the decorations and the pharmacophore (PHCO), replace
    the quinazoline scaffold; arithmetic mean."""
    decoration = "[#6]-[#6]-[#6]-[#8]-[#6]~[#6]~[#6]~[#6]~[#6]-[#7]-c1ccc2ncsc2c1"
    terms = (
        Term("pharmacophore", similar_to(HOP_START, "PHCO"), Clipped(upper_x=0.75)),
        Term("decoration", has_smarts(decoration)),
        Term("no_scaffold", has_smarts(HOP_SCAFFOLD), Complement()),
    )
    return Objective("scaffold_hop", terms, "arithmetic")


def isomers_c7h8n2o2() -> Objective:
    """GuacaMol "C7H8N2O2": closeness to the formula (geometric mean of Gaussians)."""
    term = Term("isomer", partial(oracles.isomer_score, formula="C7H8N2O2"))
    return Objective("isomers_c7h8n2o2", (term,))


def isomers_c9h10n2o2pf2cl() -> Objective:
    """GuacaMol "C9H10N2O2PF2Cl": closeness to the formula (geometric mean of Gaussians)."""
    term = Term("isomer", partial(oracles.isomer_score, formula="C9H10N2O2PF2Cl"))
    return Objective("isomers_c9h10n2o2pf2cl", (term,))


PMO_OBJECTIVES: dict[str, Callable[[], Objective]] = {
    f.__name__: f
    for f in (
        albuterol_similarity,
        celecoxib_rediscovery,
        deco_hop,
        fexofenadine_mpo,
        isomers_c7h8n2o2,
        isomers_c9h10n2o2pf2cl,
        median1,
        median2,
        mestranol_similarity,
        osimertinib_mpo,
        qed,
        ranolazine_mpo,
        scaffold_hop,
        sitagliptin_mpo,
        thiothixene_rediscovery,
        troglitazone_rediscovery,
        valsartan_smarts,
    )
}


def get_objective(name: str) -> Objective:
    """The objective called `name` (a key of `PMO_OBJECTIVES`)."""
    try:
        return PMO_OBJECTIVES[name]()
    except KeyError:
        raise UnknownObjectiveError(
            f"unknown objective '{name}'; defined: {', '.join(sorted(PMO_OBJECTIVES))}"
        ) from None
