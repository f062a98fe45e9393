"""The SMILES policy as a proposer (kind `smiles_policy`): REINVENT (Olivecrona et al. 2017,
"Molecular de-novo design through deep reinforcement learning", J. Cheminform. 9, 48).

The pretrained network is the frozen *prior*; an *agent* copy of it samples the children
(`propose`) and, in `tell`, takes one Adam step on the augmented-likelihood loss

    L = mean over the batch of (log p_prior(x) + sigma * score(x) - log p_agent(x))^2

over the scored molecules of the last generation plus up to `replay` of the best molecules
told so far (experience replay, as in PMO's REINVENT). With `augmentation_rounds: k`, the same
batch and replay are then learned k more times, each time written as other randomized SMILES
of the same molecules (Augmented Memory, Guo & Schwaller 2024, JACS Au 4, 2160: more learning
per oracle call at no oracle cost). The score is the member's fitness
(the task's metric, sign-adjusted for minimization), so `sigma` assumes scores of order 1;
invalid members are skipped. The agent is conditioned on the population only through these
updates: children carry no parent hashes. Sampled strings are canonicalized with RDKit;
invalid, repeated, already-told or parent molecules are dropped, and sampling goes on for up
to `max_rounds` rounds of ``oversample * n`` strings (64 at least) until `n` new molecules
are found.

State (`state_dict`, JSON): the ordered list of told batches ``[[smiles, score], ...]``
and sampling counters, not weights: `load_state_dict` rebuilds the agent from the prior by
replaying every update (deterministic on the same device), which costs one gradient step per
past generation (seconds for a PMO run) and keeps the stored state a few hundred KB at most.
Randomness: a `torch.Generator` seeded from `context.rng` each generation.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from functools import cache
from typing import Any

import torch
from rdkit import Chem
from transformers import GPT2LMHeadModel

from evolve.context import Context, Proposal, Scored
from evolve.errors import ProposerConfigError
from evolve.problem import Problem
from evolve.ttt.policy import TTTConfig
from molopt.policy.errors import TokenizerError
from molopt.policy.likelihood import log_likelihoods
from molopt.policy.model import load_checkpoint
from molopt.policy.sampling import canonical_or_none, sample
from molopt.policy.tokenizer import SmilesTokenizer, tokenize
from molopt.policy.ttt_proposer import SmilesTTT

log = logging.getLogger(__name__)

MIN_ROUND = 64  # strings per sampling round at least: a batch of 64 costs about what 8 do


@cache
def _prior(checkpoint: str | None, device: str) -> tuple[GPT2LMHeadModel, SmilesTokenizer]:
    """The frozen prior, loaded once per process and shared (never trained)."""
    model, tokenizer = load_checkpoint(checkpoint, device)
    model.requires_grad_(False)
    return model, tokenizer


class SmilesPolicy:
    """REINVENT-style agent over the pretrained SMILES GPT; see the module docstring.

    Options: `checkpoint` (folder; default the shipped `molopt/checkpoints/smiles_gpt`),
    `device` (`cpu`), `sigma` (500, PMO's REINVENT), `learning_rate` (5e-4), `replay` (24),
    `temperature` (1.0), `oversample` (2), `max_rounds` (5), `batch_size` (256, sampling),
    `augmentation_rounds` (0: plain REINVENT; 2 as Augmented Memory).
    """

    name = "smiles_policy"

    def __init__(
        self,
        problem: Problem,
        checkpoint: str | None = None,
        device: str = "cpu",
        sigma: float = 500.0,
        learning_rate: float = 5e-4,
        replay: int = 24,
        temperature: float = 1.0,
        oversample: int = 2,
        max_rounds: int = 5,
        batch_size: int = 256,
        augmentation_rounds: int = 0,
    ) -> None:
        _check(problem, temperature, oversample, max_rounds, replay)
        if augmentation_rounds < 0:
            raise ProposerConfigError("smiles_policy: `augmentation_rounds` must be >= 0")
        self.augmentation_rounds = augmentation_rounds
        self.problem = problem
        self.sigma, self.learning_rate, self.replay = sigma, learning_rate, replay
        self.temperature, self.oversample, self.max_rounds = temperature, oversample, max_rounds
        self.batch_size = batch_size
        self.prior, self.tokenizer = _prior(checkpoint, device)
        self.updates: list[list[tuple[str, float]]] = []
        self.counts = {"sampled": 0, "invalid": 0}
        self._reset_agent()

    def _reset_agent(self) -> None:
        self.agent = copy.deepcopy(self.prior).requires_grad_(True)
        self.optimizer = torch.optim.Adam(self.agent.parameters(), lr=self.learning_rate)
        self.best: dict[str, float] = {}  # experience replay: the best molecules told so far

    def propose(self, context: Context, n: int) -> list[Proposal]:
        """Up to `n` new canonical SMILES sampled from the agent."""
        generator = torch.Generator().manual_seed(int(context.rng.integers(2**63)))
        taken = {smiles for batch in self.updates for smiles, _ in batch}
        taken |= {m.content for m in (*context.parents, *context.inspirations)}
        found: list[str] = []
        for _ in range(self.max_rounds):
            if len(found) >= n:
                break
            strings = sample(
                self.agent,
                self.tokenizer,
                max(self.oversample * n, MIN_ROUND),
                generator,
                self.temperature,
                self.batch_size,
            )
            for smiles in map(canonical_or_none, strings):
                self.counts["sampled"] += 1
                if smiles is None:
                    self.counts["invalid"] += 1
                elif smiles not in taken and len(found) < n:
                    taken.add(smiles)
                    found.append(smiles)
        return [Proposal(s, (), self.name, {"op": "sample"}) for s in found]

    def tell(self, results: Sequence[Scored]) -> None:
        """One augmented-likelihood step of the agent on the scored molecules (+ replay)."""
        limit = self.prior.config.n_positions - 2
        batch = [
            (r.member.content, float(r.member.fitness))
            for r in results
            if r.member.valid and r.member.fitness is not None and _fits(r.member.content, limit)
        ]
        if batch:
            self.updates.append(batch)
            self._update(batch, len(self.updates) - 1)

    def _update(self, batch: list[tuple[str, float]], index: int) -> None:
        """The `index`-th update (its number seeds the augmentation, so a replay is exact)."""
        fresh = dict(batch)
        ranked = sorted(self.best.items(), key=lambda item: (-item[1], item[0]))
        replayed = [(s, v) for s, v in ranked if s not in fresh][: self.replay]
        pairs = list(fresh.items()) + replayed
        loss = self._step(pairs)
        for round_ in range(1, self.augmentation_rounds + 1):  # Augmented Memory
            seed = index * 1000 + round_
            self._step([(randomized(s, seed + i), v) for i, (s, v) in enumerate(pairs)])
        self.best.update(fresh)
        self.best = dict(sorted(self.best.items(), key=lambda i: (-i[1], i[0]))[: self.replay])
        log.debug("REINVENT update %d: loss %.3f", len(self.updates), loss)

    def _step(self, pairs: list[tuple[str, float]]) -> float:
        """One Adam step on REINVENT's augmented-likelihood loss over `pairs`."""
        limit = self.prior.config.n_positions - 2
        pairs = [(s, v) for s, v in pairs if _fits(s, limit)]
        if not pairs:
            return 0.0
        smiles, scores = zip(*pairs, strict=True)
        with torch.no_grad():
            prior = log_likelihoods(self.prior, self.tokenizer, smiles)
        agent = log_likelihoods(self.agent, self.tokenizer, smiles)
        target = prior + self.sigma * torch.tensor(scores, device=prior.device)
        loss = (target - agent).pow(2).mean()
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def state_dict(self) -> dict[str, Any]:
        """The told batches (replayed on resume) and sampling counters (JSON)."""
        return {"updates": [[[s, v] for s, v in b] for b in self.updates], "counts": self.counts}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Rebuild the agent from the prior by replaying every told batch in order."""
        self._reset_agent()
        self.updates = [[(str(s), float(v)) for s, v in b] for b in state.get("updates", [])]
        for index, batch in enumerate(self.updates):
            self._update(batch, index)
        self.counts = {**self.counts, **state.get("counts", {})}


def smiles_policy(
    problem: Problem, ttt: dict[str, Any] | None = None, **options: Any
) -> SmilesPolicy | SmilesTTT:
    """The `smiles_policy` kind: REINVENT's agent, or with `ttt: {enabled: true, ...}` the
    parent-conditioned policy that learns at test time (`molopt.policy.ttt_proposer`)."""
    try:
        config = TTTConfig(**(ttt or {}))
    except (TypeError, ValueError) as error:
        raise ProposerConfigError(f"smiles_policy: bad ttt options: {error}") from None
    if config.enabled:
        allowed = {"checkpoint", "device", "temperature"}
        unknown = set(options) - allowed
        if unknown:
            raise ProposerConfigError(
                f"smiles_policy with ttt takes only {', '.join(sorted(allowed))} besides ttt; "
                f"not {', '.join(sorted(unknown))}"
            )
        return SmilesTTT(problem, config, **options)
    return SmilesPolicy(problem, **options)


def randomized(smiles: str, seed: int) -> str:
    """A random SMILES of the same molecule (RDKit's random atom order, seeded), or `smiles`."""
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        return smiles
    return Chem.MolToRandomSmilesVect(mol, 1, randomSeed=seed)[0]


def _fits(smiles: str, limit: int) -> bool:
    try:
        return len(tokenize(smiles)) <= limit
    except TokenizerError:
        return False


def _check(problem: Problem, temperature: float, oversample: int, rounds: int, replay: int) -> None:
    where = f"task '{problem.name}': proposer kind smiles_policy"
    if problem.representation != "smiles":
        raise ProposerConfigError(f"{where} writes SMILES, not '{problem.representation}'")
    if temperature <= 0:
        raise ProposerConfigError(f"{where}: `temperature` must be > 0, got {temperature}")
    if oversample < 1 or rounds < 1 or replay < 0:
        raise ProposerConfigError(
            f"{where}: `oversample` and `max_rounds` must be >= 1 and `replay` >= 0"
        )
