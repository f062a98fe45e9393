"""Optuna's samplers as a proposer of vector candidates (`proposer: {kind: optuna, sampler:
tpe}`): TPE, CMA-ES, Gaussian-process and quasi-Monte-Carlo search inside the loop, with every
trial a candidate in the store like any other.

Optuna's ask-and-tell interface maps onto propose/tell: `propose` asks the sampler for `n`
points of the task's box ([low, high] per coordinate, parameters `x0`, `x1`, ...), `tell`
reports each point's fitness (a failed trial for an invalid candidate). The study lives in
memory and is rebuilt each generation from the told trials (JSON in the proposer's state),
with the sampler seeded from the generation's random stream: a resumed run asks exactly what
an uninterrupted one would. Nothing is pickled. Optuna maximizes the fitness (the objective
already signed by the engine). Parents chosen by the engine are ignored: a sampler has its own
model of the box.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import optuna

from evolve.context import Context, Proposal, Scored
from evolve.errors import ProposerConfigError
from evolve.problem import Problem, decode_vector, encode_vector

SAMPLERS = ("tpe", "cmaes", "gp", "qmc", "random")

optuna.logging.set_verbosity(logging.WARNING)


def _sampler(name: str, seed: int, options: dict[str, Any]) -> optuna.samplers.BaseSampler:
    factories = {
        "tpe": optuna.samplers.TPESampler,
        "cmaes": optuna.samplers.CmaEsSampler,
        "gp": optuna.samplers.GPSampler,
        "qmc": optuna.samplers.QMCSampler,
        "random": optuna.samplers.RandomSampler,
    }
    return factories[name](seed=seed, **options)


class OptunaSampler:
    """Ask Optuna's `sampler` for candidates; see the module docstring.

    Options: `sampler` (`tpe`, `cmaes`, `gp`, `qmc`, `random`; default `tpe`) and any keyword
    argument of that sampler's constructor but `seed` (e.g. `n_startup_trials`).
    """

    name = "optuna"

    def __init__(self, problem: Problem, sampler: str = "tpe", **options: Any) -> None:
        if problem.representation != "vector" or problem.vector is None:
            raise ProposerConfigError(
                f"proposer optuna proposes vectors, not {problem.representation}"
            )
        if sampler not in SAMPLERS:
            raise ProposerConfigError(
                f"proposer optuna: unknown sampler '{sampler}'; choose one of {', '.join(SAMPLERS)}"
            )
        try:
            _sampler(sampler, 0, options)
        except TypeError as error:
            raise ProposerConfigError(f"proposer optuna ({sampler}): {error}") from None
        space = problem.vector
        self.problem, self.sampler, self.options = problem, sampler, options
        self.distributions = {
            f"x{i}": optuna.distributions.FloatDistribution(space.low, space.high)
            for i in range(space.size)
        }
        self.trials: list[tuple[list[float], float | None]] = []
        self.asked: dict[str, list[float]] = {}

    def _study(self, seed: int) -> optuna.Study:
        study = optuna.create_study(
            direction="maximize", sampler=_sampler(self.sampler, seed, self.options)
        )
        study.add_trials(
            [
                optuna.trial.create_trial(
                    params={f"x{i}": v for i, v in enumerate(point)},
                    distributions=self.distributions,
                    value=value,
                    state=optuna.trial.TrialState.COMPLETE
                    if value is not None
                    else optuna.trial.TrialState.FAIL,
                )
                for point, value in self.trials
            ]
        )
        return study

    def propose(self, context: Context, n: int) -> list[Proposal]:
        """`n` points the sampler asks for, given every trial told so far."""
        study = self._study(int(context.rng.integers(2**31)))
        proposals = []
        for _ in range(n):
            trial = study.ask(self.distributions)
            point = [float(trial.params[f"x{i}"]) for i in range(len(self.distributions))]
            content = encode_vector(point)
            self.asked[content] = point
            proposals.append(Proposal(content, (), self.name, {"op": self.sampler}))
        return proposals

    def tell(self, results: Sequence[Scored]) -> None:
        """Each asked point's fitness (None for an invalid candidate) joins the trials."""
        space = self.problem.vector
        for result in results:
            content = result.member.content
            point = self.asked.pop(content, None) or decode_vector(content)
            if not all(space.low <= v <= space.high for v in point):
                continue  # a seed outside the box: Optuna cannot hold it as a trial
            valid = result.member.valid and result.member.fitness is not None
            self.trials.append((point, float(result.member.fitness) if valid else None))
        self.asked = {}

    def state_dict(self) -> dict[str, Any]:
        """The told trials (JSON)."""
        return {"trials": [[point, value] for point, value in self.trials]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Inverse of `state_dict`."""
        self.trials = [(list(map(float, p)), v) for p, v in state.get("trials", [])]
