"""Candidates as HTML fragments for the dashboard, rendered on the server.

Programs are highlighted with Pygments (inline styles, so the page needs no stylesheet),
SMILES are drawn as 2D depictions with RDKit's `rdMolDraw2D.MolDraw2DSVG`, vectors as a bar
chart of their coordinates (an SVG built here from the parsed numbers), anything else is
escaped text; a task with a `render` function gets its own SVG drawing, shown as an image
(`as_svg_image`). Candidate content is untrusted: it only ever reaches the page escaped
(Pygments escapes every token; the SVG is drawn by RDKit from the parsed molecule, never
from the text itself).
"""

from __future__ import annotations

import base64
import html
import json
import math

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

DEPICTION_SIZE = (260, 200)
VECTOR_SIZE = (400, 80)
MAX_BARS = 400


def as_text(content: str) -> str:
    """Escaped plain text in a <pre> block."""
    return f'<pre class="candidate">{html.escape(content)}</pre>'


def as_code(content: str) -> str:
    """Python source highlighted by Pygments (every token escaped, inline colours)."""
    formatter = HtmlFormatter(noclasses=True, cssclass="candidate code")
    return highlight(content, PythonLexer(), formatter)


def as_molecule(smiles: str) -> str:
    """A 2D depiction (RDKit SVG) with the escaped SMILES under it; text when unparsable."""
    from rdkit import Chem
    from rdkit.Chem.Draw import rdMolDraw2D

    molecule = Chem.MolFromSmiles(smiles) if smiles.strip() else None
    if molecule is None:
        return as_text(smiles)
    drawer = rdMolDraw2D.MolDraw2DSVG(*DEPICTION_SIZE)
    rdMolDraw2D.PrepareAndDrawMolecule(drawer, molecule)
    drawer.FinishDrawing()
    svg = drawer.GetDrawingText()
    svg = svg[svg.index("<svg") :]  # drop the XML declaration: the SVG sits inside HTML
    return f'<div class="candidate molecule">{svg}{as_text(smiles)}</div>'


def as_vector(content: str) -> str:
    """A bar per coordinate (SVG drawn from the parsed numbers) above the escaped text."""
    try:
        values = [float(v) for v in json.loads(content)]
    except (ValueError, TypeError):
        return as_text(content)
    if not values or len(values) > MAX_BARS or not all(map(math.isfinite, values)):
        return as_text(content)
    width, height = VECTOR_SIZE
    scale = max(abs(v) for v in values) or 1.0
    step = width / len(values)
    zero = height / 2 if min(values) < 0 else height
    span = height / 2 if min(values) < 0 else height
    bars = []
    for index, value in enumerate(values):
        size = abs(value) / scale * span
        top = zero - size if value >= 0 else zero
        bars.append(
            f'<rect x="{index * step:.2f}" y="{top:.2f}" width="{max(step - 1, 0.5):.2f}" '
            f'height="{size:.2f}" fill="#36c"/>'
        )
    svg = (
        f'<svg class="vector" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(bars)}</svg>'
    )
    return f'<div class="candidate vector">{svg}{as_text(content)}</div>'


def as_svg_image(svg: str, content: str) -> str:
    """A task's own drawing (`render`) as an image above the escaped text.

    The SVG came out of the sandbox, so it is untrusted markup: it goes in as a base64
    ``data:`` URL of an ``<img>``, where browsers run no script and load nothing it links.
    """
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    image = (
        f'<img class="drawing" alt="the task\'s drawing" src="data:image/svg+xml;base64,{encoded}">'
    )
    return f'<div class="candidate drawing">{image}{as_text(content)}</div>'


def depict(representation: str, content: str, drawing: str | None = None) -> str:
    """The HTML fragment for a candidate of the given representation (the task's own
    `drawing` when it has one)."""
    if drawing is not None:
        return as_svg_image(drawing, content)
    if representation == "program":
        return as_code(content)
    if representation == "vector":
        return as_vector(content)
    if representation == "smiles":
        return as_molecule(content)
    return as_text(content)
