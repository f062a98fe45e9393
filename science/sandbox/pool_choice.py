"""Which pool a run evaluates with: Ray tasks, local sandboxes, or in-process calls.

Apart from `science.sandbox.pool` and `science.sandbox.ray_pool` so that neither imports the other (the Ray
pool runs a `SandboxPool` on each node).
"""

from __future__ import annotations

from science.sandbox.pool import InProcessPool, SandboxPool, VerifierPool
from science.sandbox.ray_pool import RayPool


def make_pool(
    sandbox: bool = True,
    workers: int | None = None,
    ray_address: str | None = None,
    num_gpus: float = 0.0,
) -> VerifierPool:
    """The pool a run uses: Ray tasks when given a Ray address, else local sandboxes, or
    in-process calls when the task says its evaluator is trusted."""
    if ray_address:
        return RayPool(ray_address, num_gpus=num_gpus)
    return SandboxPool(workers) if sandbox else InProcessPool()
