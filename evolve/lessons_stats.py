"""Lessons as structured statistics over a run's history (the offline distiller).

For every child whose first parent is stored and valid, the child's gain is its fitness
minus its parent's (fitness is oriented so that larger is better; an invalid child has no
gain and counts as broken). Each change feature (`evolve.lessons_features`) and each
operator (the proposer name the candidate was stored with) collects the gains of the
children that show it. A feature seen in at least `min_support` children becomes a finding;
findings are ranked by the strength of their evidence, the t-statistic of the mean gain
(``mean / (sd / sqrt(n))``, with a broken child counting as the worst gain seen), and the
`keep` strongest are written as lessons, helpers and harmful changes alike.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from evolve.lessons_features import change_features
from memory import CandidateRecord

EVIDENCE_SHOWN = 8


@dataclass
class Finding:
    """The children sharing one change feature, and their gains (None: broken)."""

    key: str
    children: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    gains: list[float | None] = field(default_factory=list)

    @property
    def support(self) -> int:
        """How many children show the feature."""
        return len(self.gains)

    @property
    def valid_gains(self) -> list[float]:
        """Gains of the valid children."""
        return [g for g in self.gains if g is not None]

    @property
    def improved(self) -> int:
        """Children better than their parent."""
        return sum(g > 0 for g in self.valid_gains)

    @property
    def broken(self) -> int:
        """Invalid children."""
        return sum(g is None for g in self.gains)

    @property
    def mean_gain(self) -> float:
        """Mean gain of the valid children (0 when none)."""
        gains = self.valid_gains
        return float(np.mean(gains)) if gains else 0.0

    def strength(self, worst: float) -> float:
        """t-statistic of the gains, a broken child counted as `worst` (signed)."""
        values = np.array([worst if g is None else g for g in self.gains])
        spread = float(values.std(ddof=1)) if len(values) > 1 else 0.0
        mean = float(values.mean())
        if spread == 0.0:
            return math.copysign(math.inf, mean) if mean else 0.0
        return mean / (spread / math.sqrt(len(values)))

    def evidence(self) -> dict[str, object]:
        """The candidates and gains the finding rests on (the largest |gain| first)."""
        order = sorted(
            range(len(self.gains)),
            key=lambda i: -abs(self.gains[i] or 0.0) - (self.gains[i] is None),
        )[:EVIDENCE_SHOWN]
        return {
            "children": [self.children[i] for i in order],
            "parents": [self.parents[i] for i in order],
            "gains": [self.gains[i] for i in order],
            "improved": self.improved,
            "broken": self.broken,
        }

    def sentence(self, representation: str) -> str:
        """The lesson in words."""
        what = describe(self.key, representation)
        tested = self.support
        mostly_better = self.improved * 2 > tested
        verdict = "helped" if self.mean_gain > 0 and mostly_better else "hurt"
        if (self.mean_gain > 0) != mostly_better:
            verdict = "gave mixed results"
        return (
            f"{what} {verdict}: {self.improved} of {tested} children improved on their parent, "
            f"{self.broken} broke (invalid); mean gain {self.mean_gain:+.4g}."
        )


def describe(key: str, representation: str) -> str:
    """A feature key as words (`operator:crossover` -> 'Proposals by crossover')."""
    kind, _, name = key.partition(":")
    if kind == "operator":
        return f"Proposals by `{name}`"
    if representation == "program" and name.startswith(("+call ", "-call ")):
        verb = "Calling" if name[0] == "+" else "No longer calling"
        return f"{verb} `{name[6:]}`"
    if name == "constants":
        return "Changing numeric constants"
    if name.startswith(("+", "-")):
        verb = "Adding" if name[0] == "+" else "Removing"
        noun = name[1:].removeprefix("word ")
        return f"{verb} a `{noun}` node" if representation == "program" else f"{verb} `{noun}`"
    return f"Moving {name}" if representation == "vector" else name


def collect_findings(history: Iterable[CandidateRecord], representation: str) -> list[Finding]:
    """Findings for every operator and change feature of `history` (see the module docstring)."""
    by_hash: dict[str, CandidateRecord] = {}
    findings: dict[str, Finding] = defaultdict(lambda: Finding(""))
    for child in history:
        by_hash[child.hash] = child
        parent = by_hash.get(child.parents[0]) if child.parents else None
        if parent is None or not parent.valid or parent.fitness is None:
            continue
        gain = child.fitness - parent.fitness if child.valid and child.fitness is not None else None
        keys = [f"operator:{child.proposer}"] if child.proposer else []
        keys += [
            f"change:{f}" for f in change_features(representation, parent.content, child.content)
        ]
        for key in keys:
            finding = findings[key]
            finding.key = key
            finding.children.append(child.hash)
            finding.parents.append(parent.hash)
            finding.gains.append(gain)
    return list(findings.values())


def strongest(findings: list[Finding], min_support: int, keep: int) -> list[Finding]:
    """The `keep` findings with at least `min_support` children and the strongest evidence."""
    gains = [g for f in findings for g in f.valid_gains]
    worst = min(gains, default=0.0)
    worst = min(worst, 0.0)
    supported = [f for f in findings if f.support >= min_support]
    supported.sort(key=lambda f: (-abs(f.strength(worst)), f.key))
    return supported[:keep]
