"""Evaluate jobs as Ray tasks, each inside the same sandbox as on one machine.

`RayPool` submits every job as a task to a Ray cluster (an existing one, by address, or a
local one it starts on demand) and gathers the verdicts in the jobs' order, submitting all
before waiting on any (Ray's "submit then `ray.get`" pattern). Inside each Ray worker process
a one-slot `SandboxPool` runs the evaluation, so a candidate is confined exactly as it is
locally. A worker that dies mid-evaluation is retried by Ray (`max_retries`); the engine
writes only the verdict that comes back, so the candidate appears once in the history.

Evaluator files must be readable at the same path on every node (a shared filesystem), or
the evaluator must be an installed module (`package.module:function`).
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from science.evaluation import Job
from science.sandbox.pool import SandboxPool
from science.verdict import Verdict

log = logging.getLogger(__name__)

LOCAL = "local"
_NODE_POOL: SandboxPool | None = None  # one sandbox per Ray worker process, kept warm


def _node_pool() -> SandboxPool:
    global _NODE_POOL
    if _NODE_POOL is None:
        _NODE_POOL = SandboxPool(workers=1)
    return _NODE_POOL


def evaluate_on_node(job: Job) -> tuple[dict[str, Any], str]:
    """Body of the Ray task: the verdict (as a dict) and the id of the node that ran it."""
    import ray

    verdict = _node_pool().evaluate([job])[0]
    return verdict.to_dict(), ray.get_runtime_context().get_node_id()


class RayPool:
    """Evaluate jobs on a Ray cluster; `address` "auto", "host:port", or "local" (start one)."""

    def __init__(
        self,
        address: str = "auto",
        num_cpus: float = 1.0,
        num_gpus: float = 0.0,
        max_retries: int = 3,
    ) -> None:
        import ray

        self._ray = ray
        self._started = False
        if not ray.is_initialized():
            target = None if address == LOCAL else address
            ray.init(address=target, include_dashboard=False, logging_level=logging.WARNING)
            self._started = True
        self._task = ray.remote(evaluate_on_node).options(
            num_cpus=num_cpus, num_gpus=num_gpus, max_retries=max_retries, retry_exceptions=False
        )
        self.nodes: Counter[str] = Counter()

    def evaluate(self, jobs: list[Job]) -> list[Verdict]:
        """Submit every job, then collect the verdicts in order."""
        refs = [self._task.remote(job) for job in jobs]
        verdicts = []
        for ref in refs:
            try:
                result, node = self._ray.get(ref)
            except self._ray.exceptions.RayError as error:
                verdicts.append(Verdict.failure(f"Ray task failed after retries: {error}"))
                continue
            self.nodes[node] += 1
            verdicts.append(Verdict.from_untrusted(result))
        return verdicts

    def close(self) -> None:
        """Disconnect (and stop the local cluster when this pool started it)."""
        if self._started:
            self._ray.shutdown()

    def __enter__(self) -> RayPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
