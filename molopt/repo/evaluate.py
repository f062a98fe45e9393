"""Evaluation: TOMG-Bench MolOpt / MolEdit metrics and hgraph2graph constrained benchmarks.

TOMG-Bench (``evaluate.py`` of the benchmark) with one greedy answer per prompt and no
verifier in the loop:

- success rate SR = successes / all prompts (an invalid answer is a failure),
- Sim = mean Tanimoto similarity to the source over *valid* answers only,
- validity = valid answers / all prompts, and SR×Sim = SR · Sim (product of the two means),
  the figure the RePO paper reports.

hgraph2graph (Jin et al. 2019 / 2020) samples K answers per test molecule:

- logP04 / logP06: the improvement in (normalized) penalized logP of the best answer whose
  similarity to the source is at least δ, 0 when none qualifies; mean ± std over the 800
  molecules, and the share of molecules with a qualifying improvement;
- QED: success when some answer has QED >= 0.9 and similarity >= 0.4.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Sequence
from pathlib import Path

import torch

from molopt.fingerprints import molecule_similarity
from molopt.molecules import parse_or_none
from molopt.penalized_logp import penalized_logp
from molopt.repo.data import Example, load_hgraph_test, load_tomg_test
from molopt.repo.edits import PROPERTIES, EditGoal, achieved
from molopt.repo.generate import generate
from molopt.repo.model import load_policy
from molopt.repo.prompts import encode_prompt
from molopt.repo.tokenizer import Tokenizer

log = logging.getLogger(__name__)

HGRAPH_INSTRUCTION = {
    "logp04": "Please optimize the molecule {smiles} to have a higher LogP value.",
    "logp06": "Please optimize the molecule {smiles} to have a higher LogP value.",
    "qed": "Please optimize the molecule {smiles} to have a higher QED value.",
}
HGRAPH_THRESHOLD = {"logp04": 0.4, "logp06": 0.6, "qed": 0.4}


def tomg_metrics(sources: Sequence[str], outputs: Sequence[str], goals: Sequence[EditGoal]) -> dict:
    """TOMG-Bench SR, Sim, validity and SR×Sim of `outputs` answering `goals` on `sources`."""
    successes, sims = 0, []
    for source, output, goal in zip(sources, outputs, goals, strict=True):
        mol = parse_or_none(output)
        if mol is None:
            continue
        start = parse_or_none(source)
        successes += achieved(start, mol, goal)
        sims.append(molecule_similarity(start, mol))
    n = len(sources)
    success_rate = successes / n if n else 0.0
    mean_sim = statistics.fmean(sims) if sims else 0.0
    return {
        "n": n,
        "success_rate": success_rate,
        "similarity": mean_sim,
        "validity": len(sims) / n if n else 0.0,
        "sr_x_sim": success_rate * mean_sim,
    }


def answer(
    model: torch.nn.Module,
    tokenizer: Tokenizer,
    prompts: Sequence[tuple[str, str]],
    settings: dict,
) -> list[str]:
    """SMILES answers to (instruction, source) `prompts`, in batches.

    `settings`: ``batch_size``, ``max_new_tokens``, ``temperature`` (0: greedy), ``seed``.
    """
    generator = torch.Generator().manual_seed(settings.get("seed", 0))
    out: list[str] = []
    size = settings["batch_size"]
    for start in range(0, len(prompts), size):
        chunk = [encode_prompt(tokenizer, i, s) for i, s in prompts[start : start + size]]
        ids = generate(
            model,
            tokenizer,
            chunk,
            settings["max_new_tokens"],
            settings.get("temperature", 0.0),
            generator,
        )
        out.extend(tokenizer.decode_smiles(a) for a in ids)
    return out


def evaluate_tomg(
    model: torch.nn.Module, tokenizer: Tokenizer, examples: Sequence[Example], settings: dict
) -> dict:
    """TOMG-Bench metrics of the policy's greedy answers to `examples`."""
    outputs = answer(
        model,
        tokenizer,
        [(e.instruction, e.source) for e in examples],
        {**settings, "temperature": 0.0},
    )
    return tomg_metrics([e.source for e in examples], outputs, [e.goal for e in examples])


def hgraph_scores(name: str, sources: Sequence[str], candidates: Sequence[Sequence[str]]) -> dict:
    """hgraph2graph metric of benchmark `name` given K `candidates` per source (see module)."""
    threshold = HGRAPH_THRESHOLD[name]
    if name == "qed":
        hits = [_qed_success(s, c, threshold) for s, c in zip(sources, candidates, strict=True)]
        return {"n": len(sources), "success_rate": statistics.fmean(hits)}
    gains = [_best_gain(s, c, threshold) for s, c in zip(sources, candidates, strict=True)]
    return {
        "n": len(sources),
        "improvement_mean": statistics.fmean(gains),
        "improvement_std": statistics.pstdev(gains),
        "success_rate": statistics.fmean(g > 0 for g in gains),
    }


def _valid_similar(source: str, candidates: Sequence[str], threshold: float):
    start = parse_or_none(source)
    for text in candidates:
        mol = parse_or_none(text)
        if mol is not None and mol.GetNumAtoms() and molecule_similarity(start, mol) >= threshold:
            yield start, mol


def _best_gain(source: str, candidates: Sequence[str], threshold: float) -> float:
    scores = [penalized_logp(m) for _, m in _valid_similar(source, candidates, threshold)]
    if not scores:
        return 0.0
    return max(0.0, max(scores) - penalized_logp(parse_or_none(source)))


def _qed_success(source: str, candidates: Sequence[str], threshold: float) -> bool:
    return any(
        PROPERTIES["QED"](m) >= 0.9 for _, m in _valid_similar(source, candidates, threshold)
    )


def evaluate_hgraph(
    model: torch.nn.Module, tokenizer: Tokenizer, name: str, sources: Sequence[str], settings: dict
) -> dict:
    """hgraph2graph benchmark `name` with ``samples`` answers per source at ``temperature``."""
    k = settings["samples"]
    prompts = [(HGRAPH_INSTRUCTION[name].format(smiles=s), s) for s in sources for _ in range(k)]
    outputs = answer(model, tokenizer, prompts, settings)
    candidates = [outputs[i * k : (i + 1) * k] for i in range(len(sources))]
    return hgraph_scores(name, sources, candidates)


def evaluate_checkpoint(path: Path, data_dir: Path, plan: dict) -> dict:
    """Every benchmark `plan` asks for, on the checkpoint at `path`.

    `plan`: ``tasks`` (TOMG-Bench subtasks), ``limit`` (first N prompts of each, None: all
    5,000), ``hgraph`` (benchmark names), ``hgraph_limit``, ``samples``, ``batch_size``,
    ``max_new_tokens``, ``temperature`` (hgraph sampling), ``seed``, ``device``, ``threads``.
    """
    if plan.get("threads"):
        torch.set_num_threads(plan["threads"])
    model, tokenizer, state = load_policy(path, plan.get("device", "cpu"))
    results: dict = {
        "checkpoint": str(path),
        "variant": state.get("variant"),
        "step": state.get("step"),
    }
    for task in plan.get("tasks", ()):
        examples = load_tomg_test(data_dir, task)[: plan.get("limit")]
        results[task] = evaluate_tomg(model, tokenizer, examples, plan)
        log.info("%s %s: %s", results["variant"], task, results[task])
    for name in plan.get("hgraph", ()):
        sources = load_hgraph_test(data_dir, name)[: plan.get("hgraph_limit")]
        results[f"hgraph_{name}"] = evaluate_hgraph(model, tokenizer, name, sources, plan)
        log.info("%s hgraph %s: %s", results["variant"], name, results[f"hgraph_{name}"])
    return results
