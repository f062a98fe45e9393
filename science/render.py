"""A task's optional `render` function, called inside the sandbox like its evaluator.

A task may name ``render: file.py:function`` in its YAML: a function that takes a candidate
(the same argument `evaluate` gets, and the task's params) and returns an SVG drawing of it,
so people can look at a circle packing rather than read 52 numbers. It is task code run on
candidate content, so it runs where `evaluate` runs: a `Job` with ``draw=True`` whose
evaluator is the render function; its SVG comes back through the verdict gate as the
artifact `SVG_ARTIFACT`. What comes back is still untrusted text: the page shows it as an
image (`discovery.depict.as_svg_image`), never as markup.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from science.verdict import Verdict

SVG_ARTIFACT = "svg"
MAX_SVG_BYTES = 512 * 1024


class RenderInvalid(ValueError):
    """A render function returned something that is not a bounded SVG document."""


def check_svg(text: Any) -> str:
    """`text` if it is an SVG document of at most `MAX_SVG_BYTES`, else `RenderInvalid`."""
    if not isinstance(text, str):
        raise RenderInvalid(f"render() must return SVG text, it returned {type(text).__name__}")
    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_SVG_BYTES:
        raise RenderInvalid(f"render() returned {size} bytes of SVG; the limit is {MAX_SVG_BYTES}")
    if "<svg" not in text[:4096]:
        raise RenderInvalid("render() must return an SVG document (no '<svg' element at its start)")
    return text


def draw_verdict(function: Callable[..., Any], argument: Any, params: dict[str, Any]) -> Verdict:
    """Call the task's render function on one candidate; its checked SVG as the verdict's artifact."""
    start = time.perf_counter()
    svg = check_svg(function(argument, **params))
    return Verdict(valid=True, artifacts={SVG_ARTIFACT: svg}, seconds=time.perf_counter() - start)
