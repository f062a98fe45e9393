"""LLM molecule proposer (kind `llm_smiles`): a chat model writes new SMILES.

Each request shows a chat model (any OpenAI-compatible endpoint, through
`evolve.proposers.chat`) the task, up to `parents_in_prompt` molecules of the population
drawn with `context.rng` (SMILES, score and feedback, best first) and the memory bank's
lessons, and asks for `per_request` new SMILES (`molopt.llm_prompt`). Every SMILES of the
reply is standardized (`molopt.molecules.standardize`: one fragment, neutralized, canonical)
and kept if new. Losses are counted by reason in `state_dict()["usage"]["failures"]`, as the
program LLM proposer does: `call_failed` (after retries), `empty_reply`, `no_smiles` (a reply
without a SMILES-like line) and `invalid_smiles` (one per string RDKit rejects). Spending is
capped by `budget_usd` / `budget_tokens` (`evolve.proposers.usage`); past the cap the graph GA
takes over (`on_budget: graph_ga`, the default) or nothing more is proposed (`stop`).
Children name the molecules shown in their prompt as parents.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from evolve.context import Context, Member, Proposal, Scored
from evolve.errors import ModelCallFailed, ProposerConfigError
from evolve.problem import Problem
from evolve.proposers.chat import ChatOptions
from evolve.proposers.usage import Usage
from molopt.errors import InvalidMoleculeError
from molopt.graph_ga import GraphGA
from molopt.llm_prompt import build_molecule_messages, smiles_in_reply
from molopt.molecules import standardize

log = logging.getLogger(__name__)

ON_BUDGET = ("graph_ga", "stop")


class LLMSmiles:
    """Ask a chat model for new molecules given scored ones; see the module docstring.

    Options: `model` (required), `base_url`, `api_key_env`, `temperature`, `max_tokens`,
    `timeout_seconds`, `max_retries`, `backoff_seconds`, `cost_per_1k_prompt_tokens`,
    `cost_per_1k_completion_tokens`, `budget_usd`, `budget_tokens` (as kind `llm`),
    `per_request` (SMILES asked per request, 8), `parents_in_prompt` (10), `concurrency` (1),
    `on_budget` (`graph_ga` or `stop`) and `graph_ga` (options of the fallback).
    """

    name = "llm_smiles"

    def __init__(
        self,
        problem: Problem,
        per_request: int = 8,
        parents_in_prompt: int = 10,
        concurrency: int = 1,
        on_budget: str = "graph_ga",
        graph_ga: dict[str, Any] | None = None,
        **chat: Any,
    ) -> None:
        _check(problem, per_request, parents_in_prompt, concurrency, on_budget)
        where = f"task '{problem.name}': proposer kind llm_smiles"
        options = ChatOptions.parse(where, chat, temperature=0.8, max_tokens=1024)
        self.problem = problem
        self.per_request, self.parents_in_prompt = per_request, parents_in_prompt
        self.concurrency, self.on_budget = concurrency, on_budget
        self.usage = Usage()
        self.cap = options.cap()
        self.chat = options.connect(self.usage)
        self.fallback = GraphGA(problem, **(graph_ga or {}))

    def propose(self, context: Context, n: int) -> list[Proposal]:
        """Up to `n` new canonical SMILES written by the model (fewer if replies are poor)."""
        if self.cap.reached(self.usage):
            log.warning("LLM spending cap reached: %s", self.on_budget)
            return self.fallback.propose(context, n) if self.on_budget == "graph_ga" else []
        members = _members(context)
        shown = [self._pick(members, context) for _ in range(math.ceil(n / self.per_request))]
        if self.concurrency > 1 and len(shown) > 1:
            with ThreadPoolExecutor(min(self.concurrency, len(shown))) as pool:
                replies = list(pool.map(lambda s: self._ask(s, context), shown))
        else:
            replies = [self._ask(s, context) for s in shown]
        return self._proposals(shown, replies, members, n)

    def _pick(self, members: list[Member], context: Context) -> list[Member]:
        if len(members) <= self.parents_in_prompt:
            return members
        picks = context.rng.choice(len(members), self.parents_in_prompt, replace=False)
        return [members[i] for i in sorted(picks)]

    def _ask(self, shown: list[Member], context: Context) -> str | None:
        if self.cap.reached(self.usage):
            return None
        messages = build_molecule_messages(self.problem, shown, context.lessons, self.per_request)
        try:
            reply = self.chat.complete(messages)
        except ModelCallFailed as error:
            return self._failed("call_failed", error)
        return reply if reply.strip() else self._failed("empty_reply", "the model sent no text")

    def _failed(self, reason: str, error: object) -> None:
        self.usage.add_failure(reason)
        log.warning("LLM molecule request lost (%s): %s", reason, error)

    def _proposals(
        self, shown: list[list[Member]], replies: list[str | None], members: list[Member], n: int
    ) -> list[Proposal]:
        taken = {m.content for m in members}
        proposals: list[Proposal] = []
        for prompt_members, reply in zip(shown, replies, strict=True):
            if reply is None:
                continue
            strings = smiles_in_reply(reply)
            if not strings:
                self._failed("no_smiles", f"no SMILES line in: {reply[:120]!r}")
            parents = tuple(m.hash for m in prompt_members)
            for smiles in filter(None, map(self._standard, strings)):
                if smiles not in taken and len(proposals) < n:
                    taken.add(smiles)
                    proposals.append(Proposal(smiles, parents, self.name, {"op": "llm"}))
        return proposals

    def _standard(self, text: str) -> str | None:
        try:
            return standardize(text).smiles
        except InvalidMoleculeError as error:
            self._failed("invalid_smiles", error)
            return None

    def tell(self, results: Sequence[Scored]) -> None:
        """Nothing to learn: scores and feedback reach the model through the prompt."""

    def state_dict(self) -> dict[str, Any]:
        """Token, cost, retry and failure counts (JSON)."""
        return {"usage": self.usage.to_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore the counts, so a resumed run keeps its spending cap."""
        self.usage.load(state.get("usage", {}))


def _members(context: Context) -> list[Member]:
    seen: dict[str, Member] = {}
    for member in (*context.parents, *context.inspirations, *filter(None, [context.best])):
        if member.valid and member.hash not in seen:
            seen[member.hash] = member
    return list(seen.values())


def _check(
    problem: Problem,
    per_request: int,
    parents_in_prompt: int,
    concurrency: int,
    on_budget: str,
) -> None:
    where = f"task '{problem.name}': proposer kind llm_smiles"
    if problem.representation != "smiles":
        raise ProposerConfigError(f"{where} writes SMILES, not '{problem.representation}'")
    if per_request < 1 or parents_in_prompt < 1 or concurrency < 1:
        raise ProposerConfigError(
            f"{where}: `per_request`, `parents_in_prompt` and `concurrency` must be >= 1"
        )
    if on_budget not in ON_BUDGET:
        raise ProposerConfigError(
            f"{where}: `on_budget` must be one of {', '.join(ON_BUDGET)}, got '{on_budget}'"
        )
