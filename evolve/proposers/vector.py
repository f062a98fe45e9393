"""Offline default proposer for real vectors: CMA-ES per island, crossover, local refinement.

Each generation's batch mixes three sources:

- CMA-ES samples (Hansen, 2016, arXiv:1604.00772; the `cmaes` package), one search
  distribution per island, restarted with a larger step when it stagnates;
- blend crossover (BLX-alpha, Eshelman & Schaffer 1993) of two parents plus Gaussian
  mutation, mixing what different islands found;
- local refinement: small Gaussian steps around the best member, with a step that shrinks
  when refinement stops paying off (a (1+1)-ES with the 1/5 success rule, Rechenberg 1973).

Every proposal is verified by the task's evaluator, so every one counts against the budget.
"""

from __future__ import annotations

import base64
import pickle
from collections.abc import Sequence
from typing import Any

import numpy as np
from cmaes import CMA

from evolve.context import Context, Proposal, Scored
from evolve.problem import Problem, decode_vector, encode_vector

INVALID_PENALTY = 1e12


class VectorEvolution:
    """CMA-ES islands + crossover + local refinement over a box (`problem.vector`)."""

    name = "cmaes"

    def __init__(
        self,
        problem: Problem,
        sigma: float = 0.2,
        crossover_fraction: float = 0.25,
        refine_fraction: float = 0.25,
        refine_sigma: float = 0.02,
        stagnation_generations: int = 30,
    ) -> None:
        if problem.vector is None:
            raise ValueError("the cmaes proposer needs `vector: {size, low, high}` in the task")
        self.problem = problem
        self.space = problem.vector
        self.sigma = sigma
        self.crossover_fraction = crossover_fraction
        self.refine_fraction = refine_fraction
        self.refine_sigma = refine_sigma
        self.stagnation_generations = stagnation_generations
        self.strategies: dict[int, CMA] = {}
        self.pending: dict[int, list[tuple[np.ndarray, float]]] = {}
        self.best_seen: dict[int, float] = {}
        self.last_best: dict[int, float] = {}
        self.stale: dict[int, int] = {}
        self.restarts = 0

    # helpers -------------------------------------------------------------------------------

    @property
    def _span(self) -> float:
        return self.space.high - self.space.low

    def _bounds(self) -> np.ndarray:
        return np.tile([self.space.low, self.space.high], (self.space.size, 1)).astype(float)

    def _clip(self, x: np.ndarray) -> np.ndarray:
        return np.clip(x, self.space.low, self.space.high)

    def _strategy(self, context: Context, popsize: int) -> CMA:
        island = context.island
        if island not in self.strategies:
            start = context.parents[0] if context.parents else None
            mean = (
                np.array(decode_vector(start.content))
                if start is not None
                else context.rng.uniform(self.space.low, self.space.high, self.space.size)
            )
            scale = 1.0 + self.restarts % 3
            self.strategies[island] = CMA(
                mean=self._clip(mean),
                sigma=self.sigma * self._span * scale,
                bounds=self._bounds(),
                population_size=max(popsize, 4),
                seed=int(context.rng.integers(2**31)),
            )
            self.pending[island] = []
        return self.strategies[island]

    # the proposer interface -----------------------------------------------------------------

    def propose(self, context: Context, n: int) -> list[Proposal]:
        """A batch of CMA-ES samples, crossovers and local refinements."""
        rng = context.rng
        parents = list(context.parents) + list(context.inspirations)
        n_cross = int(round(n * self.crossover_fraction)) if len(parents) >= 2 else 0
        n_refine = int(round(n * self.refine_fraction)) if context.best is not None else 0
        n_cma = max(0, n - n_cross - n_refine)
        proposals: list[Proposal] = []
        if n_cma:
            strategy = self._strategy(context, n_cma)
            for _ in range(n_cma):
                x = strategy.ask()
                proposals.append(
                    Proposal(
                        encode_vector(x),
                        self._lineage(context),
                        "cmaes",
                        {"island": context.island, "x": x.tolist()},
                    )
                )
        for _ in range(n_cross):
            a, b = rng.choice(len(parents), size=2, replace=False)
            xa = np.array(decode_vector(parents[a].content))
            xb = np.array(decode_vector(parents[b].content))
            low, high = np.minimum(xa, xb), np.maximum(xa, xb)
            reach = 0.25 * (high - low)
            child = rng.uniform(low - reach, high + reach)
            child += rng.normal(0.0, 0.01 * self._span, child.shape) * (
                rng.random(child.shape) < 0.1
            )
            proposals.append(
                Proposal(
                    encode_vector(self._clip(child)),
                    (parents[a].hash, parents[b].hash),
                    "crossover",
                )
            )
        for _ in range(n_refine):
            best = np.array(decode_vector(context.best.content))
            step = rng.normal(0.0, self.refine_sigma * self._span, best.shape)
            mask = rng.random(best.shape) < max(0.1, 2.0 / best.size)
            proposals.append(
                Proposal(
                    encode_vector(self._clip(best + step * mask)), (context.best.hash,), "refine"
                )
            )
        return proposals

    @staticmethod
    def _lineage(context: Context) -> tuple[str, ...]:
        return (context.parents[0].hash,) if context.parents else ()

    def tell(self, results: Sequence[Scored]) -> None:
        """Feed CMA-ES its samples' values; adapt the refinement step (1/5 success rule)."""
        for item in results:
            meta = item.proposal.meta
            fitness = item.member.fitness
            if item.proposal.proposer == "refine":
                improved = fitness is not None and fitness > max(
                    self.best_seen.values(), default=-np.inf
                )
                self.refine_sigma *= 1.5 if improved else 0.9**0.25
                self.refine_sigma = float(np.clip(self.refine_sigma, 1e-6, 0.2))
            if fitness is not None:
                island = meta.get("island", -1)
                self.best_seen[island] = max(self.best_seen.get(island, -np.inf), fitness)
            if "x" in meta and meta["island"] in self.strategies:
                value = -fitness if fitness is not None else INVALID_PENALTY
                self.pending[meta["island"]].append((np.array(meta["x"]), value))
        for island, strategy in list(self.strategies.items()):
            batch = self.pending[island]
            if len(batch) >= strategy.population_size:
                strategy.tell(batch[: strategy.population_size])
                self.pending[island] = batch[strategy.population_size :]
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

    def state_dict(self) -> dict[str, Any]:
        """Everything, pickled (our own objects) and base64-encoded into JSON."""
        return {"pickle": base64.b64encode(pickle.dumps(self.__dict__)).decode()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore from `state_dict`."""
        if "pickle" in state:
            self.__dict__.update(pickle.loads(base64.b64decode(state["pickle"])))
