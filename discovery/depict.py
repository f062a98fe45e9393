"""Candidates as HTML fragments for the dashboard, rendered on the server.

Programs are highlighted with Pygments (inline styles, so the page needs no stylesheet),
SMILES are drawn as 2D depictions with RDKit's `rdMolDraw2D.MolDraw2DSVG`, anything else
is escaped text. Candidate content is untrusted: it only ever reaches the page escaped
(Pygments escapes every token; the SVG is drawn by RDKit from the parsed molecule, never
from the text itself).
"""

from __future__ import annotations

import html

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

DEPICTION_SIZE = (260, 200)


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


def depict(representation: str, content: str) -> str:
    """The HTML fragment for a candidate of the given representation."""
    if representation == "program":
        return as_code(content)
    if representation == "smiles":
        return as_molecule(content)
    return as_text(content)
