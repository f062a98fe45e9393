"""Drawings of candidates by the task's optional `render` function, for reports and the page.

The drawing is made in the sandbox (`science.render`) on the pool the run already has, or
on a one-worker sandbox pool of its own for the dashboard; a candidate that cannot be drawn
gets `RenderFailed` with the reason, and the report or page falls back to the candidate's
text. The dashboard keeps the last drawings in memory (`Drawings`), so a page refresh does
not start a sandbox again.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

from discovery.errors import DiscoveryError
from evolve.loop import job_payload
from science import Job, SandboxPool, ScienceError, VerifierPool
from science.render import SVG_ARTIFACT, RenderInvalid, check_svg

if TYPE_CHECKING:
    from discovery.spec import TaskSpec

log = logging.getLogger(__name__)
KEPT_DRAWINGS = 64


class RenderFailed(DiscoveryError):
    """The task's render function could not draw a candidate (the message says why)."""


def render_job(spec: TaskSpec, content: str) -> Job:
    """The sandbox job that draws `content` (stored candidate text) with the task's `render`."""
    render = spec.render_ref()
    if render is None:
        raise RenderFailed(f"task {spec.name} has no `render` function")
    setup = spec.evaluation_setup()
    try:
        payload = job_payload(spec.problem(), content)
    except ValueError as error:
        raise RenderFailed(f"malformed candidate: {error}") from None
    return Job(
        evaluator=render,
        candidate=payload,
        representation=spec.representation,
        params=setup.params,
        limits=setup.limits,
        draw=True,
    )


def render_svg(spec: TaskSpec, pool: VerifierPool, content: str) -> str:
    """The SVG the task's render function draws for `content`; `RenderFailed` if none."""
    (verdict,) = pool.evaluate([render_job(spec, content)])
    if not verdict.valid:
        raise RenderFailed(f"render() failed: {verdict.error or verdict.feedback}")
    try:
        return check_svg(verdict.artifacts.get(SVG_ARTIFACT))
    except RenderInvalid as error:
        raise RenderFailed(str(error)) from None


def try_render(spec: TaskSpec, pool: VerifierPool, content: str) -> str | None:
    """`render_svg`, or None (logged) when the task has no render function, it failed, or
    the pool did (a drawing never fails a run or a page)."""
    if spec.render is None:
        return None
    try:
        return render_svg(spec, pool, content)
    except (RenderFailed, ScienceError) as error:
        log.warning("task %s: cannot draw a candidate: %s", spec.name, error)
        return None


class Drawings:
    """The dashboard's drawings: made on demand in a one-worker sandbox, the last few kept."""

    def __init__(self, kept: int = KEPT_DRAWINGS) -> None:
        self.kept = kept
        self._drawn: OrderedDict[tuple[str, str], str | None] = OrderedDict()
        self._lock = threading.Lock()

    def svg(self, key: str, spec: TaskSpec, content: str) -> str | None:
        """The drawing of `content` under task run `key`, or None if the task cannot draw it."""
        if spec.render is None:
            return None
        with self._lock:
            entry = (key, content)
            if entry in self._drawn:
                self._drawn.move_to_end(entry)
                return self._drawn[entry]
            with SandboxPool(workers=1) as pool:
                drawing = try_render(spec, pool, content)
            self._drawn[entry] = drawing
            while len(self._drawn) > self.kept:
                self._drawn.popitem(last=False)
            return drawing
