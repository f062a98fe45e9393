"""Evaluator cascades (OpenEvolve's `cascade_evaluation`): cheap checks before an expensive
verifier, in the candidate's own sandboxed process.

Each stage is an evaluator of the task contract called on the same candidate argument and
params. A stage that raises, says the candidate is invalid, omits its metric or misses its
threshold stops the candidate there: the verdict is invalid, carries the stage's metrics and
`stage` (its index), and the main evaluator is never called. Candidates that pass every stage
go on to the main evaluator as if there were no cascade.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from science.evaluation import CascadeStage, Job
from science.verdict import Verdict


def run_cascade(
    job: Job, argument: Any, functions: Sequence[Callable[..., Any]], start: float
) -> Verdict | None:
    """The verdict of the stage that stops the candidate, or None when every stage passes.

    `functions` are the stages' evaluators, loaded, in the order of `job.cascade`; a stage
    that raises stops the candidate with the exception as the reason.
    """
    for index, (stage, function) in enumerate(zip(job.cascade, functions, strict=True)):
        try:
            verdict = Verdict.from_result(function(argument, **job.params))
        except Exception as error:  # noqa: BLE001 - a stage may raise anything
            text = "".join(traceback.format_exception_only(type(error), error)).strip()
            verdict = Verdict.failure(text)
        stopped = _stop_reason(stage, verdict, index)
        if stopped is not None:
            verdict.valid, verdict.error, verdict.stage = False, stopped, index
            verdict.seconds = time.perf_counter() - start
            return verdict
    return None


def _stop_reason(stage: CascadeStage, verdict: Verdict, index: int) -> str | None:
    where = f"stopped at cascade stage {index} ({stage.evaluator})"
    if not verdict.valid:
        return f"{where}: {verdict.error or verdict.feedback or 'the stage found it invalid'}"
    value = verdict.metrics.get(stage.metric)
    if value is None:
        returned = ", ".join(sorted(verdict.metrics)) or "no metric"
        return f"{where}: the stage returned no '{stage.metric}' (it returned: {returned})"
    if not stage.passes(value):
        return f"{where}: {stage.metric} = {value:g}, {stage.threshold()}"
    return None
