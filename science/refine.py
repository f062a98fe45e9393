"""Engine-side local refinement of a vector candidate, inside the sandbox.

A user's evaluator usually only scores. Refinement runs a local optimizer on that
`evaluate` function, many calls in the one confined process the sandbox gives a job (so
the per-call cost of the sandbox is paid once), and returns the best valid vector it met.
The engine then verifies that vector like any other candidate.

Two forms, chosen from what the evaluator returns at the start point:

- score only: the metric itself is optimized inside the box with L-BFGS-B on
  finite-difference gradients, then, from where it stopped, a (1+1) evolution strategy
  with the one-fifth success rule (Rechenberg, 1973; Kern et al., 2004, Natural
  Computing 3:77). A max-min score is kinked wherever two terms tie, and a
  finite-difference gradient method stops at the first kink it meets; random steps whose
  size adapts to the measured success rate keep moving along the kink, where the local
  optima of such problems lie. On a smooth score the strategy would only creep, so it
  runs only when L-BFGS-B stalled: when the projected gradient where it stopped is still
  of the order of the value (a kink), not near zero (a smooth minimum, as in a
  Lennard-Jones energy, where the calls are better spent on the next start). (Also:
  L-BFGS-B alone, the strategy alone, Powell or Nelder-Mead.)
- `cma`: CMA-ES (Hansen, 2016, arXiv:1604.00772; the `cmaes` package) from the start
  point with a step of a sixth of the box (Optuna's default), restarted with a doubled
  population when it converges (IPOP, Auger & Hansen 2005), on `CMA_SHARE` of the budget:
  thousands of samples in the one process instead of one verified proposal each; then the
  local method above from its best point. A global search where descents from random
  starts keep landing in poor local optima (max-min scores, rugged energies).
- structured (`terms`, optional `constraints`, see `science.structure`): the epigraph form
  of the max-min problem, solved with SLSQP (Kraft, 1988),

      maximize u  subject to  s * terms_i(x) >= u,  constraints_j(x) >= 0,  low <= x <= high,

  with s = +1 when the metric is maximized (max of the min term) and s = -1 when it is
  minimized (min of the max term). Finite-difference Jacobians come from calls of
  `evaluate`; moving u alone costs no call (results are cached by x).

A refinement is deterministic given its start and `max_calls`; `max_seconds` is a safety
stop (when it binds first, the result depends on the machine's speed, and says so).
A refinement that cannot pay for its method stops early: after `PROBE_CALLS` calls, if
the time they took says that `MIN_GRADIENTS` finite-difference gradients (size + 1 calls
each) do not fit in the seconds left, it stops as `slow` instead of holding a worker for
its whole `max_seconds` to make a few calls that move nothing (a slow evaluator, e.g.
0.3 s a call in 52 variables: one gradient alone is 16 s).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from cmaes import CMA
from scipy.optimize import minimize

from science.structure import StructureInvalid, validate_structure
from science.verdict import Verdict

METHODS = ("auto", "lbfgsb", "lbfgsb-es", "es", "powell", "nelder-mead", "slsqp", "cma")
INVALID_PENALTY = 1e6  # margin of an epigraph row at a point where evaluate() raised
REFINED_ARTIFACT = "refined"
CALLS_ARTIFACT = "inner_calls"
ES_START_STEP = 1e-2  # first step of the evolution strategy, share of the box
ES_MIN_STEP = 1e-12  # step (share of the box) at which the strategy has converged
ES_WINDOW = 10  # gradients' worth of calls (size + 1 each) the strategy may go without gain
ES_MIN_GAIN = 1e-9  # relative gain per window below which the strategy stops
PROBE_CALLS = 2  # calls timed before a refinement decides whether it can afford its method
MIN_GRADIENTS = 3  # finite-difference gradients a refinement must afford to be worth a worker
SMOOTH_GRADIENT = 1e-3  # projected slope x span / |value| under which L-BFGS-B met a minimum
CMA_SIGMA = 1.0 / 6.0  # the CMA-ES run's first step, share of the box (Optuna's default)
CMA_SHARE = 0.8  # of a `cma` refinement's calls and seconds for CMA-ES; the rest: local method


@dataclass(frozen=True)
class Refinement:
    """How to refine one vector: the metric and its direction, the box, the budget.

    `max_calls` counts calls of `evaluate` (the start point included), `max_seconds` the
    wall time of the whole refinement; `method` is one of `METHODS` (`auto`: SLSQP on the
    epigraph form when the evaluator returns `terms`, else L-BFGS-B then the evolution
    strategy, `lbfgsb-es`; `slsqp` on an evaluator without `terms`: L-BFGS-B alone; `cma`:
    a CMA-ES run, then `auto` from its best point).
    """

    metric: str
    direction: str = "maximize"
    low: float = 0.0
    high: float = 1.0
    max_calls: int = 1000
    max_seconds: float = 10.0
    method: str = "auto"

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"refinement method '{self.method}' is not one of {METHODS}")
        if self.direction not in ("maximize", "minimize"):
            raise ValueError(f"direction must be maximize or minimize, not '{self.direction}'")
        if self.max_calls < 1 or self.max_seconds <= 0:
            raise ValueError("a refinement needs max_calls >= 1 and max_seconds > 0")


@dataclass(frozen=True)
class Sample:
    """What one call of `evaluate` said about a point."""

    fitness: float | None  # the metric, signed so that higher is better; None if invalid
    terms: np.ndarray | None
    constraints: np.ndarray | None


class BudgetSpent(Exception):
    """Raised inside the optimizer's callbacks when the calls or seconds are used up."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CountedObjective:
    """`evaluate` as the optimizers see it: counted, cached by point, best point kept."""

    def __init__(
        self, function: Callable[..., Any], params: dict[str, Any], refinement: Refinement
    ) -> None:
        self.function = function
        self.params = params
        self.refinement = refinement
        self.sign = 1.0 if refinement.direction == "maximize" else -1.0
        self.calls = 0
        self.deadline = time.monotonic() + refinement.max_seconds
        self.cache: dict[bytes, Sample] = {}
        self.best_x: np.ndarray | None = None
        self.best_fitness = -np.inf
        self.term_count: int | None = None
        self.constraint_count: int | None = None
        self.probe_seconds: list[float] = []

    def sample(self, x: np.ndarray) -> Sample:
        """Evaluate `x` (clipped to the box) once; repeated points come from the cache."""
        x = np.clip(np.asarray(x, dtype=float), self.refinement.low, self.refinement.high)
        key = x.tobytes()
        if key not in self.cache:
            if self.calls >= self.refinement.max_calls:
                raise BudgetSpent("calls")
            if time.monotonic() > self.deadline:
                raise BudgetSpent("seconds")
            self.calls += 1
            began = time.monotonic()
            self.cache[key] = self._call(x)
            self._check_affordable(time.monotonic() - began, x.size)
        return self.cache[key]

    def _check_affordable(self, seconds: float, size: int) -> None:
        """After `PROBE_CALLS` timed calls, stop (`slow`) if the seconds left cannot cover
        `MIN_GRADIENTS` finite-difference gradients at the fastest call's pace."""
        if len(self.probe_seconds) >= PROBE_CALLS:
            return
        self.probe_seconds.append(seconds)
        if len(self.probe_seconds) < PROBE_CALLS:
            return
        needed = MIN_GRADIENTS * (size + 1) * min(self.probe_seconds)
        if needed > self.deadline - time.monotonic():
            raise BudgetSpent("slow")

    def _call(self, x: np.ndarray) -> Sample:
        try:
            result = self.function(x.tolist(), **self.params)
        except Exception:  # noqa: BLE001 - a point where evaluate() fails is just a bad point
            return Sample(None, None, None)
        verdict = Verdict.from_result(result)
        structure = result if isinstance(result, dict) else {}
        if structure.get("terms") is None and structure.get("constraints") is None:
            return Sample(self._keep_best(x, verdict), None, None)  # e.g. an invalid point
        terms, constraints = validate_structure(
            structure.get("terms"),
            structure.get("constraints"),
            self.term_count,
            self.constraint_count,
        )
        if terms is not None and self.term_count is None:
            self.term_count = len(terms)
        if self.constraint_count is None:
            self.constraint_count = len(constraints or [])
        fitness = self._keep_best(x, verdict)
        if terms is None:
            return Sample(fitness, None, None)
        return Sample(fitness, np.array(terms), np.array(constraints or []))

    def _keep_best(self, x: np.ndarray, verdict: Verdict) -> float | None:
        """The signed score of a verdict (None if invalid); remember the best point."""
        value = verdict.metrics.get(self.refinement.metric)
        fitness = self.sign * value if verdict.valid and value is not None else None
        if fitness is not None and fitness > self.best_fitness:
            self.best_fitness, self.best_x = fitness, x.copy()
        return fitness

    def penalized(self, x: np.ndarray) -> float:
        """The quantity score-only methods minimize: -fitness, or a penalty if invalid."""
        fitness = self.sample(x).fitness
        return -fitness if fitness is not None else INVALID_PENALTY


def _epigraph(objective: CountedObjective, x0: np.ndarray, start: Sample) -> None:
    """SLSQP on z = (x, u): maximize u s.t. s*terms(x) - u >= 0 and constraints(x) >= 0."""
    sign, size = objective.sign, x0.size
    rows = len(start.terms) + len(start.constraints)

    def margins(z: np.ndarray) -> np.ndarray:
        sample = objective.sample(z[:size])
        if sample.terms is None:
            return np.full(rows, -INVALID_PENALTY)
        return np.concatenate([sign * sample.terms - z[size], sample.constraints])

    box = objective.refinement.low, objective.refinement.high
    minimize(
        lambda z: -z[size],
        np.append(x0, np.min(sign * start.terms)),
        jac=lambda z: np.append(np.zeros(size), -1.0),
        method="SLSQP",
        bounds=[box] * size + [(None, None)],
        constraints=[{"type": "ineq", "fun": margins}],
        options={"maxiter": 10**6, "ftol": 1e-12},
    )


def _one_plus_one_es(objective: CountedObjective, x0: np.ndarray) -> None:
    """(1+1)-ES with the one-fifth success rule (Kern et al., 2004): a Gaussian step from
    the best point, kept when not worse; the step grows by exp(0.8 / d) on success and
    shrinks by exp(-0.2 / d) on failure (d = 1 + n / 2), so it settles where a fifth of
    the steps succeed. Stops when the step vanishes or `ES_WINDOW` gradients' worth of
    calls gain less than `ES_MIN_GAIN`. Its random steps come from a generator seeded by
    the start point, so the refinement stays deterministic."""
    low, high = objective.refinement.low, objective.refinement.high
    span, damping = high - low, 1.0 + x0.size / 2.0
    rng = np.random.default_rng(np.frombuffer(x0.tobytes(), dtype=np.uint32))
    x, value, step = x0, objective.penalized(x0), ES_START_STEP * span
    window, checked = ES_WINDOW * (x0.size + 1), value
    for trial in range(1, 10**9):
        if step < ES_MIN_STEP * span:
            return
        y = np.clip(x + step * rng.standard_normal(x.size), low, high)
        candidate = objective.penalized(y)
        success = candidate <= value
        if success:
            x, value = y, candidate
        step *= np.exp((float(success) - 0.2) / damping)
        if trial % window == 0:
            if checked - value <= ES_MIN_GAIN * max(abs(checked), 1e-12):
                return
            checked = value


def _lbfgsb(objective: CountedObjective, x0: np.ndarray) -> tuple[np.ndarray, bool]:
    """L-BFGS-B on finite differences inside the box: the best point it met, and whether
    it stopped on a smooth minimum (`_smooth_stop`)."""
    low, high = objective.refinement.low, objective.refinement.high
    options = {"maxfun": 10**9, "maxiter": 10**9, "ftol": 1e-15, "gtol": 1e-12}
    result = minimize(
        objective.penalized, x0, method="L-BFGS-B", bounds=[(low, high)] * x0.size, options=options
    )
    best = objective.best_x if objective.best_x is not None else x0
    return best, _smooth_stop(result.x, result.jac, result.fun, low, high)


def _smooth_stop(
    x: np.ndarray, gradient: np.ndarray, value: float, low: float, high: float
) -> bool:
    """Whether a gradient method stopped where the score is smooth and flat: the largest
    component of the projected finite-difference gradient, times the box's span, is below
    `SMOOTH_GRADIENT` of the value's size. At a kink of a max-min score the one-sided
    slopes stay of the order of the value itself (measured on the suite: 5 to 100 times it
    on the Heilbronn triangle and distance-ratio tasks, 1e-7 of it at LJ19's minima)."""
    if abs(value) >= INVALID_PENALTY:  # stopped on the invalid plateau: not a minimum
        return False
    outward = ((x <= low) & (gradient > 0)) | ((x >= high) & (gradient < 0))
    slope = float(np.max(np.abs(np.where(outward, 0.0, gradient)), initial=0.0))
    return slope * (high - low) <= SMOOTH_GRADIENT * max(abs(value), 1e-12)


def _cma_run(objective: CountedObjective, x0: np.ndarray) -> np.ndarray:
    """IPOP-CMA-ES (Auger & Hansen, 2005): CMA-ES from `x0`, restarted from a uniform random
    point with twice the population each time its own stop criteria fire, until
    `CMA_SHARE` of the calls or seconds are spent; the best point met. Seeded by the start
    point: deterministic (while the seconds do not bind)."""
    refinement = objective.refinement
    low, high = refinement.low, refinement.high
    rng = np.random.default_rng(np.frombuffer(x0.tobytes(), dtype=np.uint32))
    calls_left_at = (1.0 - CMA_SHARE) * refinement.max_calls
    seconds_left_at = (1.0 - CMA_SHARE) * refinement.max_seconds
    mean, population = x0, None
    while True:
        strategy = CMA(
            mean=mean,
            sigma=CMA_SIGMA * (high - low),
            bounds=np.tile([low, high], (x0.size, 1)),
            seed=int(rng.integers(2**31)),
            population_size=population,
        )
        while not strategy.should_stop():
            if (
                refinement.max_calls - objective.calls < calls_left_at + strategy.population_size
                or objective.deadline - time.monotonic() < seconds_left_at
            ):
                return objective.best_x if objective.best_x is not None else x0
            asked = [strategy.ask() for _ in range(strategy.population_size)]
            strategy.tell([(x, objective.penalized(x)) for x in asked])
        mean, population = rng.uniform(low, high, x0.size), 2 * strategy.population_size


def _score_only(objective: CountedObjective, x0: np.ndarray, method: str) -> None:
    box = [(objective.refinement.low, objective.refinement.high)] * x0.size
    if method == "lbfgsb":
        _lbfgsb(objective, x0)
    elif method == "lbfgsb-es":
        stopped_at, smooth = _lbfgsb(objective, x0)
        if not smooth:  # stalled on a kink (or the invalid plateau): the strategy moves on
            _one_plus_one_es(objective, stopped_at)
    elif method == "es":
        _one_plus_one_es(objective, x0)
    elif method == "powell":
        options = {"maxfev": 10**9, "xtol": 1e-10, "ftol": 1e-14}
        minimize(objective.penalized, x0, method="Powell", bounds=box, options=options)
    else:
        options = {"maxfev": 10**9, "xatol": 1e-10, "fatol": 1e-14, "adaptive": True}
        minimize(objective.penalized, x0, method="Nelder-Mead", bounds=box, options=options)


def refine(
    function: Callable[..., Any],
    start: list[float],
    params: dict[str, Any],
    refinement: Refinement,
) -> tuple[CountedObjective, str, str]:
    """Run the local optimizer from `start`; return the objective (best point, calls),
    the method used and why it stopped (converged, calls, seconds or slow)."""
    objective = CountedObjective(function, params, refinement)
    x0 = np.clip(np.asarray(start, dtype=float), refinement.low, refinement.high)
    method = refinement.method
    before = ""  # "cma+" when a CMA-ES run came before the local method
    try:
        first = objective.sample(x0)
        if method == "cma":
            x0 = _cma_run(objective, x0)
            first, method, before = objective.sample(x0), "auto", "cma+"
        if method == "auto":
            method = "slsqp" if first.terms is not None else "lbfgsb-es"
        if method == "slsqp" and first.terms is None:
            method = "lbfgsb"  # nothing structured to work on
        if method == "slsqp":
            _epigraph(objective, x0, first)
        else:
            _score_only(objective, x0, method)
    except BudgetSpent as spent:
        return objective, before + method, spent.reason
    return objective, before + method, "converged"


def refine_verdict(
    function: Callable[..., Any], start: list[float], params: dict[str, Any], refinement: Refinement
) -> Verdict:
    """Refine `start` and report the best valid point as a verdict.

    The refined vector is in `artifacts["refined"]` with the number of calls made
    (`artifacts["inner_calls"]`), the method and the stop reason; the verdict is invalid
    when no call returned a valid score, or when the evaluator's `terms` or `constraints`
    are malformed (the error says how).
    """
    began = time.perf_counter()
    try:
        objective, method, stopped = refine(function, start, params, refinement)
    except StructureInvalid as error:
        return Verdict.failure(f"refinement stopped: {error}", time.perf_counter() - began)
    artifacts: dict[str, Any] = {
        CALLS_ARTIFACT: objective.calls,
        "method": method,
        "stopped": stopped,
    }
    seconds = time.perf_counter() - began
    if objective.best_x is None:
        verdict = Verdict.failure("refinement found no valid point", seconds)
        verdict.artifacts = artifacts
        return verdict
    artifacts[REFINED_ARTIFACT] = objective.best_x.tolist()
    value = objective.sign * objective.best_fitness
    return Verdict(
        valid=True,
        metrics={refinement.metric: float(value)},
        artifacts=artifacts,
        seconds=seconds,
        feedback=f"refined with {method} in {objective.calls} calls ({stopped})",
    )
