"""Offline default proposer for real vectors: CMA-ES per island, crossover, local steps,
and in-sandbox local optimization of good members and of random starts.

Each generation's batch mixes seven operators:

- CMA-ES samples (Hansen, 2016, arXiv:1604.00772; the `cmaes` package), one search
  distribution per island, centred on the island's parent and restarted with a larger step
  when it stagnates (IPOP-style restarts, Auger & Hansen 2005);
- blend crossover (BLX-alpha, Eshelman & Schaffer 1993) of two parents plus a sparse
  Gaussian mutation, mixing what different islands found;
- local refinement around the best member: Gaussian steps on all coordinates or on a
  random few, with the step size drawn from a ladder of scales (1e-4 to 0.3 of the box)
  or a uniform reset of a random few coordinates (random-reset mutation); each of these
  arms is drawn in proportion to its recent rate of improving the best. Smooth landscapes
  come to favour small steps, rugged or polished ones (basin hopping) larger ones;
- `polish`: engine-side local optimization (`science.refine`, run by the loop's
  refinement step) of a good member not yet polished: the parent the selection chose;
- `restart`: the same local optimization from a uniform random start (multi-start);
- `hop`: the same local optimization from a perturbation of the best member (a Gaussian
  step of 1 % to 30 % of the box, on all coordinates or a few, or a uniform reset of a
  few): basin hopping (Wales & Doye 1997, J. Phys. Chem. A 101:5111), the method of
  choice for energies with many smooth minima such as atomic clusters;
- `cma_run`: a whole CMA-ES run from a uniform random start inside the sandbox (method
  `cma` of `science.refine`: thousands of samples without a verification each, then a
  local optimization of its best): a global search for scores whose local optima are many
  and poor (max-min problems), where the per-proposal CMA-ES above pays a verification per
  sample.

The batch is shared among operators by measured yield, improvement of the best per
evaluator call (`evolve.proposers.portfolio`), so an easy task converges to multi-start
local optimization and a hard one keeps evolving, with no task-specific option. Two
guards keep refinements from idling the pool: their number in a batch is rounded up to a
multiple of the pool's workers (one long refinement beside quick verifications would
leave the other workers waiting for it), and when a refinement stops as `slow` (the
evaluator is too slow for a few finite-difference gradients in the seconds given, see
`science.refine`) the refining operators pause for `SLOW_PAUSE` scored proposals,
doubling at each further slow stop, so a slow evaluator is searched by the cheap
operators and only probed now and then.

Lamarckian evolution: when an evaluator returns ``artifacts["polished"]`` (a vector of the
task's size, inside the box, that scores what the candidate scored, e.g. its locally
optimized version), the proposer works from that vector instead of the raw candidate. Every
proposal is verified by the task's evaluator and counts against the budget; randomness
comes only from `context.rng`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from cmaes import CMA

from evolve.context import Context, Member, Proposal, Scored
from evolve.problem import Problem, decode_vector, encode_vector
from evolve.proposers.cma_state import cma_from_json, cma_to_json
from evolve.proposers.portfolio import VERIFY_CALLS, Portfolio, relative_gain
from evolve.refinement import INNER_CALLS_META, REFINE_META, SECONDS_META, STOPPED_META

INVALID_PENALTY = 1e12
POLISHED_ARTIFACT = "polished"
REFINE_SCALES = (1e-4, 1e-3, 1e-2, 3e-2, 1e-1, 3e-1)
OPERATORS = ("cmaes", "crossover", "refine", "polish", "restart", "hop", "cma_run")
REFINING = ("polish", "restart", "hop", "cma_run")  # operators whose proposals the loop refines
HOP_LEVELS = (2, 3, 4, 5, 6)  # the perturbations of a hop: REFINE_SCALES[2:] and the reset
MEMORY = 0.99  # decay of the step-scale success statistics per scored proposal
MIN_CMA_PRIOR = 0.1
CMA_RESTART_GROWTH = (1.0, 2.0, 3.0)  # step multipliers cycled through on restarts
POLISHED_KEPT = 2000  # hashes of members already polished (or produced by a refinement)
# A refinement's cost before one is measured: this many finite-difference gradients of
# (size + 1) calls, a short L-BFGS-B run. Charging the whole `refine_calls` instead kept
# refinements out of small runs (48 evaluations of a 4-d sphere ended at 1e-2 from the
# optimum); once one is measured the portfolio uses what they really cost.
PRIOR_REFINE_ITERATIONS = 30
SLOW_PAUSE = 100  # scored proposals without refinements after the first one stopped as slow


class VectorEvolution:
    """CMA-ES islands + crossover + multi-scale refinement over a box (`problem.vector`).

    Options (the task's `proposer:` keys): `sigma` (CMA-ES initial step, share of the box),
    `crossover_fraction`, `refine_fraction`, `polish_fraction`, `restart_fraction`,
    `hop_fraction` and `cma_run_fraction` (prior shares of the evaluator's time, 0 to
    switch an operator off; CMA-ES has the rest),
    `subset_fraction` (share of coordinates a sparse move touches),
    `stagnation_generations` (CMA-ES generations without progress on an island before a
    restart), `refine_calls`, `refine_seconds` and `refine_method` (the budget and method
    of one in-sandbox local optimization).
    """

    name = "cmaes"

    def __init__(
        self,
        problem: Problem,
        sigma: float = 0.2,
        crossover_fraction: float = 0.1,
        refine_fraction: float = 0.2,
        polish_fraction: float = 0.2,
        restart_fraction: float = 0.1,
        hop_fraction: float = 0.1,
        cma_run_fraction: float = 0.1,
        subset_fraction: float = 0.1,
        stagnation_generations: int = 30,
        refine_calls: int = 20000,
        refine_seconds: float = 10.0,
        refine_method: str = "auto",
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
        self.request = {
            "max_calls": refine_calls,
            "max_seconds": refine_seconds,
            "method": refine_method,
        }
        self.polished: list[str] = []
        self.slow_stops = 0
        self.refine_pause = 0
        self.scales = SuccessRates([0.5] * (len(REFINE_SCALES) + 1))  # the last: uniform reset
        fractions = [
            crossover_fraction,
            refine_fraction,
            polish_fraction,
            restart_fraction,
            hop_fraction,
            cma_run_fraction,
        ]
        cma_fraction = max(MIN_CMA_PRIOR, 1.0 - sum(fractions))
        cheap = VERIFY_CALLS
        refined = VERIFY_CALLS + min(refine_calls, PRIOR_REFINE_ITERATIONS * (self.space.size + 1))
        whole_run = VERIFY_CALLS + refine_calls  # a CMA-ES run takes thousands of samples
        costs = [cheap, cheap, cheap, refined, refined, refined, whole_run]
        self.operators = Portfolio([cma_fraction, *fractions], costs)

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
        """A batch of proposals from the operators available now, shared by yield."""
        counts = self.operators.counts(n, self._available(context), context.rng)
        counts = self._polishes_available(_fill_workers(counts, context.workers), context)
        made = {
            "cmaes": lambda k: self._cma_samples(context, k),
            "crossover": lambda k: [
                self._crossover(self._parents(context), context.rng) for _ in range(k)
            ],
            "refine": lambda k: [self._refinement(context) for _ in range(k)],
            "polish": lambda k: self._polishes(context, k),
            "restart": lambda k: [self._restart(context.rng) for _ in range(k)],
            "hop": lambda k: [self._hop(context) for _ in range(k)],
            "cma_run": lambda k: [self._cma_run(context.rng) for _ in range(k)],
        }
        target = context.best.fitness if context.best is not None else None
        proposals = []
        for arm, count in counts.items():
            if count:
                proposals += made[OPERATORS[arm]](count)
        return [replace(p, meta={**p.meta, "target": target}) for p in proposals]

    def _polishes_available(self, counts: dict[int, int], context: Context) -> dict[int, int]:
        """No more polishes than unpolished members: the rest become restarts (refinements
        too, so the batch still fills the workers), or CMA-ES samples when restarts are off."""
        polish, restart = OPERATORS.index("polish"), OPERATORS.index("restart")
        extra = counts.get(polish, 0) - len(self._unpolished(context))
        if extra <= 0:
            return counts
        spare = restart if self.operators.priors[restart] > 0 else OPERATORS.index("cmaes")
        return {**counts, polish: counts[polish] - extra, spare: counts.get(spare, 0) + extra}

    def _parents(self, context: Context) -> list[Member]:
        return list(context.parents) + list(context.inspirations)

    def _unpolished(self, context: Context) -> list[Member]:
        done = set(self.polished)
        members = [context.best] if context.best is not None else []
        members += self._parents(context)
        unique = {m.hash: m for m in members if m.valid and m.hash not in done}
        return list(unique.values())

    def _available(self, context: Context) -> list[int]:
        arms = [OPERATORS.index(name) for name in ("cmaes", "restart", "cma_run")]
        if len(self._parents(context)) >= 2:
            arms.append(OPERATORS.index("crossover"))
        if context.best is not None:
            arms += [OPERATORS.index("refine"), OPERATORS.index("hop")]
        if self._unpolished(context):
            arms.append(OPERATORS.index("polish"))
        if self.refine_pause > 0:  # the evaluator proved too slow for refinements
            arms = [arm for arm in arms if OPERATORS[arm] not in REFINING]
        return sorted(arm for arm in arms if self.operators.priors[arm] > 0)  # 0: switched off

    def _cma_samples(self, context: Context, count: int) -> list[Proposal]:
        strategy = self._strategy(context, count)
        # CMA's own generator is not part of its stored state: draw it from the context each time,
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
        weights = self.scales.rates()
        level = int(context.rng.choice(len(weights), p=weights / weights.sum()))
        x = self._perturbed(self.vector_of(context.best), level, context.rng)
        return self._proposal(x, (context.best.hash,), "refine", level=level)

    def _hop(self, context: Context) -> Proposal:
        """A basin-hopping move: a large perturbation of the best, then local optimization."""
        level = int(context.rng.choice(HOP_LEVELS))
        x = self._perturbed(self.vector_of(context.best), level, context.rng)
        return self._proposal(x, (context.best.hash,), "hop", **{REFINE_META: self.request})

    def _perturbed(self, x: np.ndarray, level: int, rng: np.random.Generator) -> np.ndarray:
        """`x` moved at `level`: a Gaussian step of REFINE_SCALES[level] of the box on all
        coordinates or on a few, or (the last level) a uniform reset of a few."""
        few = rng.random(x.shape) < max(self.subset_fraction, 2.0 / x.size)
        few[rng.integers(x.size)] = True  # never none: a move that moves nothing is a repeat
        if level == len(REFINE_SCALES):
            x[few] = rng.uniform(self.space.low, self.space.high, int(few.sum()))
            return x
        step = rng.normal(0.0, REFINE_SCALES[level] * self._span, x.shape)
        return x + step * few if rng.random() < 0.5 else x + step

    def _polishes(self, context: Context, count: int) -> list[Proposal]:
        """Local optimization of the best unpolished members (the best first)."""
        ranked = sorted(self._unpolished(context), key=lambda m: -(m.fitness or -np.inf))
        proposals = []
        for member in ranked[:count]:
            self._remember_polished(member.hash)
            proposals.append(
                self._proposal(
                    self.vector_of(member), (member.hash,), "polish", **{REFINE_META: self.request}
                )
            )
        return proposals

    def _restart(self, rng: np.random.Generator) -> Proposal:
        """Local optimization from a uniform random start in the box."""
        start = rng.uniform(self.space.low, self.space.high, self.space.size)
        return self._proposal(start, (), "restart", **{REFINE_META: self.request})

    def _cma_run(self, rng: np.random.Generator) -> Proposal:
        """A whole CMA-ES run, then local optimization, from a uniform random start."""
        start = rng.uniform(self.space.low, self.space.high, self.space.size)
        request = {**self.request, "method": "cma"}
        return self._proposal(start, (), "cma_run", **{REFINE_META: request})

    def _refinement_cost(self, meta: dict[str, Any]) -> float:
        """Evaluator calls a refinement is charged: those it made, or, when it ran out of
        seconds first, its call budget in proportion to the share of its seconds it used,
        if that is more (a slow evaluator: the time, not the few calls, is what it cost;
        a refinement cut short by the run's end used only part of it; its result already
        depended on the clock)."""
        calls = float(meta.get(INNER_CALLS_META, 0))
        if meta.get(STOPPED_META) != "seconds":
            return calls
        used = float(meta.get(SECONDS_META, self.request["max_seconds"]))
        share = min(1.0, used / float(self.request["max_seconds"]))
        return max(calls, share * float(self.request["max_calls"]))

    def _remember_polished(self, digest: str) -> None:
        self.polished = [*self.polished, digest][-POLISHED_KEPT:]

    def tell(self, results: Sequence[Scored]) -> None:
        """Feed CMA-ES its samples' values; credit each operator with its gain per call and
        the scales that improved the best."""
        for item in results:
            meta, fitness = item.proposal.meta, item.member.fitness
            target = meta.get("target")
            improved = fitness is not None and (target is None or fitness > target)
            if item.proposal.proposer in OPERATORS and target is not None:
                calls = VERIFY_CALLS + self._refinement_cost(meta)
                arm = OPERATORS.index(item.proposal.proposer)
                self.operators.credit(arm, relative_gain(fitness, target), calls)
            if item.proposal.proposer in REFINING:
                self._remember_polished(item.member.hash)  # a local optimum already
            if item.proposal.proposer == "refine":
                self.scales.credit(meta["level"], improved)
            if fitness is not None:
                island = meta.get("island", -1)
                self.best_seen[island] = max(self.best_seen.get(island, -np.inf), fitness)
            if "x" in meta and meta["island"] in self.strategies:
                value = -fitness if fitness is not None else INVALID_PENALTY
                self.pending[meta["island"]].append((meta["x"], value))
        self._pause_if_slow(results)
        for island, strategy in list(self.strategies.items()):
            batch = self.pending[island]
            size = strategy.population_size
            if len(batch) >= size:
                strategy.tell([(np.array(x), value) for x, value in batch[:size]])
                self.pending[island] = batch[size:]
                self._check_stagnation(island, strategy)

    def tell_repeats(self, proposals: Sequence[Proposal]) -> None:
        """Charge each operator for its proposals the loop dropped as known candidates, as
        for a verified one that gained nothing: refinements that keep landing on the
        optimum already found (a corner of the box, a symmetric twin) lose their share
        instead of taking every batch until the run stops for lack of new candidates."""
        for proposal in proposals:
            if proposal.proposer in OPERATORS and proposal.meta.get("target") is not None:
                calls = VERIFY_CALLS + self._refinement_cost(proposal.meta)
                self.operators.credit(OPERATORS.index(proposal.proposer), 0.0, calls)

    def _pause_if_slow(self, results: Sequence[Scored]) -> None:
        """Pause the refining operators after a refinement stopped as slow (see the module
        docstring); otherwise count the pause down by the proposals scored."""
        if any(item.proposal.meta.get(STOPPED_META) == "slow" for item in results):
            self.slow_stops += 1
            self.refine_pause = SLOW_PAUSE * 2 ** (self.slow_stops - 1)
        else:
            self.refine_pause = max(0, self.refine_pause - len(results))

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
        """JSON state: each island's CMA-ES as named fields (`cma_state`), the statistics."""
        return {
            "strategies": {str(k): cma_to_json(v) for k, v in self.strategies.items()},
            "pending": {str(k): v for k, v in self.pending.items()},
            "best_seen": _finite_items(self.best_seen),
            "last_best": _finite_items(self.last_best),
            "stale": {str(k): v for k, v in self.stale.items()},
            "restarts": self.restarts,
            "scales": self.scales.state(),
            "operators": self.operators.state(),
            "polished": self.polished,
            "slow_stops": self.slow_stops,
            "refine_pause": self.refine_pause,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore from `state_dict` (an empty or older state leaves a fresh proposer)."""
        if "polished" not in state:  # empty, or written before the portfolio existed
            return
        self.strategies = {int(k): cma_from_json(v) for k, v in state["strategies"].items()}
        self.pending = {
            int(k): [(list(x), float(value)) for x, value in v] for k, v in state["pending"].items()
        }
        self.best_seen = {int(k): float(v) for k, v in state["best_seen"].items()}
        self.last_best = {int(k): float(v) for k, v in state["last_best"].items()}
        self.stale = {int(k): int(v) for k, v in state["stale"].items()}
        self.restarts = int(state["restarts"])
        self.scales = SuccessRates.from_state(state["scales"])
        operators = Portfolio.from_state(state["operators"])
        if len(operators.priors) == len(OPERATORS):  # else: written before an operator came
            self.operators = operators
        self.polished = [str(h) for h in state["polished"]]
        self.slow_stops = int(state.get("slow_stops", 0))
        self.refine_pause = int(state.get("refine_pause", 0))


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


def _fill_workers(counts: dict[int, int], workers: int) -> dict[int, int]:
    """Round the refining operators' count up to a multiple of `workers`, taken from the
    cheap operators, so refinements run side by side instead of one holding the batch."""
    refining = [arm for arm in counts if OPERATORS[arm] in REFINING]
    cheap = [arm for arm in counts if OPERATORS[arm] not in REFINING]
    total = sum(counts[arm] for arm in refining)
    missing = -total % workers
    if not total or not missing or sum(counts[arm] for arm in cheap) < missing:
        return counts
    filled = dict(counts)
    filled[max(refining, key=lambda arm: counts[arm])] += missing
    for _ in range(missing):
        filled[max(cheap, key=lambda arm: filled[arm])] -= 1
    return filled


def _finite_items(values: dict[int, float]) -> dict[str, float]:
    return {str(k): v for k, v in values.items() if np.isfinite(v)}
