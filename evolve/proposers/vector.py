"""Offline default proposer for real vectors: CMA-ES per island, crossover, local refinement.

Each generation's batch mixes three sources:

- CMA-ES samples (Hansen, 2016, arXiv:1604.00772; the `cmaes` package), one search
  distribution per island, centred on the island's parent and restarted with a larger step
  when it stagnates (IPOP-style restarts, Auger & Hansen 2005);
- blend crossover (BLX-alpha, Eshelman & Schaffer 1993) of two parents plus a sparse
  Gaussian mutation, mixing what different islands found;
- local refinement around the best member: Gaussian steps on all coordinates or on a
  random few, with the step size drawn from a ladder of scales (1e-4 to 0.3 of the box)
  or a uniform reset of a random few coordinates (random-reset mutation); each of these
  arms is drawn in proportion to its recent rate of improving the best. Smooth landscapes
  come to favour small steps, rugged or polished ones (basin hopping) larger ones.

Lamarckian evolution: when an evaluator returns ``artifacts["polished"]`` (a vector of the
task's size, inside the box, that scores what the candidate scored, e.g. its locally
optimized version), the proposer works from that vector instead of the raw candidate. Every
proposal is verified by the task's evaluator and counts against the budget; randomness
comes only from `context.rng`.
"""

from __future__ import annotations

import base64
import pickle
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from cmaes import CMA

from evolve.context import Context, Member, Proposal, Scored
from evolve.problem import Problem, decode_vector, encode_vector

INVALID_PENALTY = 1e12
POLISHED_ARTIFACT = "polished"
REFINE_SCALES = (1e-4, 1e-3, 1e-2, 3e-2, 1e-1, 3e-1)
OPERATORS = ("cmaes", "crossover", "refine")
MEMORY = 0.99  # decay of the success statistics per scored proposal
MIN_SHARE = 0.1  # every operator keeps at least this share of a batch
CMA_RESTART_GROWTH = (1.0, 2.0, 3.0)  # step multipliers cycled through on restarts


class VectorEvolution:
    """CMA-ES islands + crossover + multi-scale refinement over a box (`problem.vector`).

    Options (the task's `proposer:` keys): `sigma` (CMA-ES initial step, share of the box),
    `crossover_fraction` and `refine_fraction` (prior shares of a batch; the rest is CMA-ES),
    `subset_fraction` (share of coordinates a sparse move touches), `stagnation_generations`
    (CMA-ES generations without progress on an island before a restart).
    """

    name = "cmaes"

    def __init__(
        self,
        problem: Problem,
        sigma: float = 0.2,
        crossover_fraction: float = 0.25,
        refine_fraction: float = 0.375,
        subset_fraction: float = 0.1,
        stagnation_generations: int = 30,
    ) -> None:
        if problem.vector is None:
            raise ValueError("the cmaes proposer needs `vector: {size, low, high}` in the task")
        self.problem = problem
        self.space = problem.vector
        self.sigma = sigma
        self.subset_fraction = subset_fraction
        self.stagnation_generations = stagnation_generations
        self.strategies: dict[int, CMA] = {}
        self.pending: dict[int, list[tuple[list[float], float]]] = {}
        self.best_seen: dict[int, float] = {}
        self.last_best: dict[int, float] = {}
        self.stale: dict[int, int] = {}
        self.restarts = 0
        self.scales = SuccessRates([0.5] * (len(REFINE_SCALES) + 1))  # the last: uniform reset
        cma_fraction = max(MIN_SHARE, 1.0 - crossover_fraction - refine_fraction)
        self.operators = SuccessRates([cma_fraction, crossover_fraction, refine_fraction])

    # vectors ---------------------------------------------------------------------------------

    @property
    def _span(self) -> float:
        return self.space.high - self.space.low

    def _clip(self, x: np.ndarray) -> np.ndarray:
        return np.clip(x, self.space.low, self.space.high)

    def vector_of(self, member: Member) -> np.ndarray:
        """The member's vector: its polished artifact when the evaluator gave a usable one."""
        polished = member.artifacts.get(POLISHED_ARTIFACT) if member.artifacts else None
        if isinstance(polished, list) and len(polished) == self.space.size:
            x = np.asarray(polished, dtype=float)
            if np.all(np.isfinite(x)):
                return self._clip(x)
        return np.array(decode_vector(member.content))

    def _proposal(
        self, vector: np.ndarray, parents: tuple[str, ...], kind: str, **meta: Any
    ) -> Proposal:
        return Proposal(encode_vector(self._clip(vector)), parents, kind, meta)

    # the proposer interface -----------------------------------------------------------------

    def propose(self, context: Context, n: int) -> list[Proposal]:
        """A batch of CMA-ES samples, crossovers and refinements of the best.

        The batch is split in proportion to each operator's recent rate of improving the
        best (the constructor's fractions are the prior), each keeping `MIN_SHARE`.
        """
        parents = list(context.parents) + list(context.inspirations)
        shares = np.maximum(self.operators.rates() / self.operators.rates().sum(), MIN_SHARE)
        shares /= shares.sum()
        n_cross = int(round(n * shares[1])) if len(parents) >= 2 else 0
        n_refine = int(round(n * shares[2])) if context.best is not None else 0
        n_cma = max(0, n - n_cross - n_refine)
        target = context.best.fitness if context.best is not None else None
        proposals = self._cma_samples(context, n_cma) if n_cma else []
        proposals += [self._crossover(parents, context.rng) for _ in range(n_cross)]
        proposals += [self._refinement(context) for _ in range(n_refine)]
        return [replace(p, meta={**p.meta, "target": target}) for p in proposals]

    def _cma_samples(self, context: Context, count: int) -> list[Proposal]:
        strategy = self._strategy(context, count)
        # CMA's own generator is not kept by its pickle: draw it from the context each time,
        # so that samples depend on the run's seed only (and a resumed run repeats them).
        strategy.reseed_rng(int(context.rng.integers(2**31)))
        lineage = (context.parents[0].hash,) if context.parents else ()
        samples = [strategy.ask() for _ in range(count)]
        return [
            self._proposal(x, lineage, "cmaes", island=context.island, x=x.tolist())
            for x in samples
        ]

    def _strategy(self, context: Context, popsize: int) -> CMA:
        island = context.island
        if island not in self.strategies:
            mean = (
                self.vector_of(context.parents[0])
                if context.parents
                else context.rng.uniform(self.space.low, self.space.high, self.space.size)
            )
            growth = CMA_RESTART_GROWTH[self.restarts % len(CMA_RESTART_GROWTH)]
            self.strategies[island] = CMA(
                mean=self._clip(mean),
                sigma=self.sigma * self._span * growth,
                bounds=np.tile([self.space.low, self.space.high], (self.space.size, 1)),
                population_size=max(popsize, 4),
                seed=int(context.rng.integers(2**31)),
            )
            self.pending[island] = []
        return self.strategies[island]

    def _crossover(self, parents: list[Member], rng: np.random.Generator) -> Proposal:
        a, b = rng.choice(len(parents), size=2, replace=False)
        xa, xb = self.vector_of(parents[a]), self.vector_of(parents[b])
        low, high = np.minimum(xa, xb), np.maximum(xa, xb)
        reach = 0.25 * (high - low)
        child = rng.uniform(low - reach, high + reach)
        child += rng.normal(0.0, 0.01 * self._span, child.shape) * (rng.random(child.shape) < 0.1)
        return self._proposal(child, (parents[a].hash, parents[b].hash), "crossover")

    def _refinement(self, context: Context) -> Proposal:
        rng, best = context.rng, context.best
        weights = self.scales.rates()
        level = int(rng.choice(len(weights), p=weights / weights.sum()))
        x = self.vector_of(best)
        few = rng.random(x.shape) < max(self.subset_fraction, 2.0 / x.size)
        if level == len(REFINE_SCALES):  # the last arm: reset a few coordinates uniformly
            x[few] = rng.uniform(self.space.low, self.space.high, int(few.sum()))
        else:  # a Gaussian step on all coordinates or on a few
            step = rng.normal(0.0, REFINE_SCALES[level] * self._span, x.shape)
            x += step * few if rng.random() < 0.5 else step
        return self._proposal(x, (best.hash,), "refine", level=level)

    def tell(self, results: Sequence[Scored]) -> None:
        """Feed CMA-ES its samples' values; credit the operators and scales that improved."""
        for item in results:
            meta, fitness = item.proposal.meta, item.member.fitness
            target = meta.get("target")
            improved = fitness is not None and (target is None or fitness > target)
            if item.proposal.proposer in OPERATORS:
                self.operators.credit(OPERATORS.index(item.proposal.proposer), improved)
            if item.proposal.proposer == "refine":
                self.scales.credit(meta["level"], improved)
            if fitness is not None:
                island = meta.get("island", -1)
                self.best_seen[island] = max(self.best_seen.get(island, -np.inf), fitness)
            if "x" in meta and meta["island"] in self.strategies:
                value = -fitness if fitness is not None else INVALID_PENALTY
                self.pending[meta["island"]].append((meta["x"], value))
        for island, strategy in list(self.strategies.items()):
            batch = self.pending[island]
            size = strategy.population_size
            if len(batch) >= size:
                strategy.tell([(np.array(x), value) for x, value in batch[:size]])
                self.pending[island] = batch[size:]
                self._check_stagnation(island, strategy)

    def _check_stagnation(self, island: int, strategy: CMA) -> None:
        best = self.best_seen.get(island, -np.inf)
        previous = self.last_best.get(island, -np.inf)
        self.stale[island] = 0 if best > previous else self.stale.get(island, 0) + 1
        self.last_best[island] = best
        if strategy.should_stop() or self.stale[island] >= self.stagnation_generations:
            del self.strategies[island]
            self.pending.pop(island, None)
            self.stale[island] = 0
            self.restarts += 1

    # state -----------------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """JSON state; each island's CMA-ES attributes are pickled (our own data) in base64."""
        return {
            "strategies": {str(k): _freeze(v) for k, v in self.strategies.items()},
            "pending": {str(k): v for k, v in self.pending.items()},
            "best_seen": _finite_items(self.best_seen),
            "last_best": _finite_items(self.last_best),
            "stale": {str(k): v for k, v in self.stale.items()},
            "restarts": self.restarts,
            "scales": self.scales.state(),
            "operators": self.operators.state(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore from `state_dict` (an empty or older state leaves a fresh proposer)."""
        if "strategies" not in state:
            return
        self.strategies = {int(k): _thaw(v) for k, v in state["strategies"].items()}
        self.pending = {
            int(k): [(list(x), float(value)) for x, value in v] for k, v in state["pending"].items()
        }
        self.best_seen = {int(k): float(v) for k, v in state["best_seen"].items()}
        self.last_best = {int(k): float(v) for k, v in state["last_best"].items()}
        self.stale = {int(k): int(v) for k, v in state["stale"].items()}
        self.restarts = int(state["restarts"])
        self.scales = SuccessRates.from_state(state["scales"])
        self.operators = SuccessRates.from_state(state["operators"])


class SuccessRates:
    """Decayed success rates of a few arms (operators, step scales), with a prior.

    rate = (wins + prior) / (trials + 1): each arm's prior counts as one pseudo-trial that
    never decays, while every credit decays the real counts by `MEMORY`. So the rates follow
    the recent past, and after a long run of failures (a stagnating search) they return to
    the priors instead of to whichever arm happened to fail last.
    """

    def __init__(
        self,
        priors: list[float],
        wins: list[float] | None = None,
        trials: list[float] | None = None,
    ) -> None:
        self.priors = [float(p) for p in priors]
        self.wins = [float(w) for w in wins] if wins else [0.0] * len(priors)
        self.trials = [float(t) for t in trials] if trials else [0.0] * len(priors)

    def rates(self) -> np.ndarray:
        """Current success rate of each arm (positive when its prior is)."""
        return (np.array(self.wins) + self.priors) / (np.array(self.trials) + 1.0)

    def credit(self, arm: int, improved: bool) -> None:
        """Record one trial of `arm` and whether it improved."""
        self.wins = [w * MEMORY for w in self.wins]
        self.trials = [t * MEMORY for t in self.trials]
        self.trials[arm] += 1.0
        self.wins[arm] += float(improved)

    def state(self) -> dict[str, list[float]]:
        """JSON form."""
        return {"priors": self.priors, "wins": self.wins, "trials": self.trials}

    @classmethod
    def from_state(cls, state: dict[str, list[float]]) -> SuccessRates:
        """Inverse of `state`."""
        return cls(state["priors"], state["wins"], state["trials"])


def _finite_items(values: dict[int, float]) -> dict[str, float]:
    return {str(k): v for k, v in values.items() if np.isfinite(v)}


def _freeze(strategy: CMA) -> str:
    """A CMA-ES object's attributes, exactly (its own pickle rounds the covariance)."""
    attributes = {k: v for k, v in vars(strategy).items() if k != "_rng"}
    return base64.b64encode(pickle.dumps(attributes)).decode()


def _thaw(text: str) -> CMA:
    """Inverse of `_freeze`; the generator is reseeded from the context before each use."""
    strategy = CMA.__new__(CMA)
    strategy.__dict__.update(pickle.loads(base64.b64decode(text)))
    strategy._rng = np.random.RandomState(0)
    return strategy
