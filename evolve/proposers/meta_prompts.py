"""Meta-prompt evolution: the guidance at the end of the LLM proposer's system prompt is
itself evolved (AlphaEvolve's evolved prompts; ShinkaEvolve's meta-scratchpad).

A small population of guidance texts starts from the empty one. Each request uses one, chosen
by the same cost-aware bandit as models (`evolve.proposers.model_bandit`): a guidance earns
the improvement its children bring on their parents. Every `every` generations the model is
shown the best guidance, the others and how each did, and writes a new one, which joins the
population; past `size` texts, the weakest tried one is dropped (never the best).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from evolve.problem import Problem
from evolve.proposers.edits import FENCE
from evolve.proposers.model_bandit import ModelBandit

MAX_GUIDANCE_CHARS = 2_000
META_REQUEST = """You write the guidance that ends the system prompt of a model which improves
candidate solutions of a scientific task by evolution.
Task: {description}
Objective: {direction} the metric `{metric}`.

Guidance tried so far, with the improvement its children brought per request (higher is better):
{tried}

Write a new guidance of at most 12 lines: ideas and strategies worth trying next, and mistakes
to avoid, learned from what worked. Answer with the guidance text only."""


@dataclass
class PromptPopulation:
    """Guidance texts by id, and the bandit that chooses and scores them."""

    every: int = 5
    size: int = 4
    texts: dict[str, str] = field(default_factory=lambda: {"g0": ""})
    bandit: ModelBandit = field(default_factory=lambda: ModelBandit(["g0"]))
    made: int = 1

    def __post_init__(self) -> None:
        if self.every < 1 or self.size < 2:
            raise ValueError("meta_prompts needs `every` >= 1 and `size` >= 2")

    def due(self, generation: int) -> bool:
        """Whether a new guidance is to be written before this generation's requests."""
        return generation > 0 and generation % self.every == 0

    def request(self, problem: Problem) -> list[dict[str, str]]:
        """The messages asking the model for a new guidance."""
        values = self.bandit.values()
        ranked = sorted(self.texts, key=lambda g: -values[g])
        tried = "\n".join(
            f"--- {g} (value {values[g]:.3g}, {self.bandit.arms[g].calls} requests)\n"
            f"{self.texts[g] or '(no guidance)'}"
            for g in ranked
        )
        text = META_REQUEST.format(
            description=problem.description.strip() or problem.name,
            direction=problem.objective.direction,
            metric=problem.objective.metric,
            tried=tried,
        )
        return [{"role": "user", "content": text}]

    def add(self, reply: str) -> str | None:
        """Take the model's reply as a new guidance; its id, or None for an empty reply."""
        blocks = FENCE.findall(reply)
        text = (blocks[0][1] if blocks else reply).strip()[:MAX_GUIDANCE_CHARS]
        if not text:
            return None
        name = f"g{self.made}"
        self.made += 1
        self.texts[name] = text
        self.bandit.add(name)
        if len(self.texts) > self.size:
            self._drop_weakest()
        return name

    def _drop_weakest(self) -> None:
        values = self.bandit.values()
        best = max(self.texts, key=lambda g: values[g])
        tried = [g for g in self.texts if self.bandit.arms[g].calls and g != best]
        if tried:
            weakest = min(tried, key=lambda g: values[g])
            del self.texts[weakest]
            self.bandit.remove(weakest)

    def state(self) -> dict[str, Any]:
        """JSON form: texts, records, and how many were made."""
        return {"texts": self.texts, "records": self.bandit.state(), "made": self.made}

    def load(self, state: dict[str, Any]) -> None:
        """Inverse of `state`."""
        if not state:
            return
        self.texts = {str(k): str(v) for k, v in state.get("texts", {}).items()}
        self.made = int(state.get("made", len(self.texts)))
        self.bandit = ModelBandit(list(self.texts), self.bandit.selection)
        self.bandit.load(state.get("records", {}))
