"""LLM proposer: a language model edits programs (or texts), AlphaEvolve style.

Each proposal is one chat request to an OpenAI-compatible endpoint (`evolve.proposers.chat`)
whose prompt shows the parent, its metrics and feedback, inspirations and lessons
(`evolve.proposers.prompt`). With probability `diff_ratio` the model is asked for
SEARCH/REPLACE diffs, otherwise for a full rewrite; either form is accepted in the reply
(`evolve.proposers.edits`). A failed call (after retries), an empty reply, a reply without
code or with a diff whose SEARCH text is not in the parent is skipped: it is counted by
reason in `state_dict()["usage"]["failures"]`, logged as a warning, and the run goes on.

Spending: tokens and dollars come from each response's `usage` and are kept in the state,
so they survive a resume. Once `budget_usd` or `budget_tokens` is reached, the model is no
longer called; with `on_budget: mutation` (the default) the offline `ProgramMutation`
proposer takes over, so the run keeps spending its evaluation budget; with `on_budget: stop`
no proposals come back and the run ends after `engine.max_stale_generations` empty
generations. Requests of one generation may run in `concurrency` threads; the cap is checked
before each request, so it can be overshot by at most `concurrency - 1` requests.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from evolve.context import Context, Member, Proposal, Scored
from evolve.errors import ModelCallFailed, ProposerConfigError, UnusableReply
from evolve.problem import Problem
from evolve.proposers.chat import ChatOptions
from evolve.proposers.edits import child_from_reply
from evolve.proposers.mutation import ProgramMutation
from evolve.proposers.prompt import build_messages
from evolve.proposers.usage import Usage

log = logging.getLogger(__name__)

REPRESENTATIONS = ("program", "text")
ON_BUDGET = ("mutation", "stop")


@dataclass(frozen=True)
class _Request:
    parent: Member
    mode: str
    messages: list[dict[str, str]]


class LLMProposer:
    """Ask a chat model for diffs or rewrites of the parents; see the module docstring.

    Options (the task's `proposer:` keys): `model` (required), `base_url` (None: OpenAI, or
    $OPENAI_BASE_URL), `api_key_env`, `temperature`, `max_tokens` (per reply),
    `timeout_seconds`, `max_retries`, `backoff_seconds`, `cost_per_1k_prompt_tokens`,
    `cost_per_1k_completion_tokens`, `budget_usd`, `budget_tokens`, `diff_ratio` (share of
    requests asking for diffs), `concurrency`, `on_budget` (`mutation` or `stop`) and
    `mutation` (options of the fallback `ProgramMutation`).
    """

    name = "llm"

    def __init__(
        self,
        problem: Problem,
        diff_ratio: float = 0.8,
        concurrency: int = 1,
        on_budget: str = "mutation",
        mutation: dict[str, Any] | None = None,
        **chat: Any,
    ) -> None:
        _check_options(problem, diff_ratio, concurrency, on_budget)
        options = ChatOptions.parse(f"task '{problem.name}': proposer kind llm", chat)
        self.problem = problem
        self.language = "python" if problem.representation == "program" else "text"
        self.diff_ratio = diff_ratio
        self.concurrency = concurrency
        self.on_budget = on_budget
        self.usage = Usage()
        self.cap = options.cap()
        self.chat = options.connect(self.usage)
        self.fallback = ProgramMutation(problem, **(mutation or {}))
        self._cap_logged = False

    def propose(self, context: Context, n: int) -> list[Proposal]:
        """Up to `n` model-written children (fewer when replies are unusable)."""
        if self.cap.reached(self.usage):
            return self._after_cap(context, n)
        parents = list(context.parents) or ([context.best] if context.best else [])
        if not parents:
            return []
        requests = [self._request(context, parents[i % len(parents)]) for i in range(n)]
        if self.concurrency > 1 and len(requests) > 1:
            with ThreadPoolExecutor(min(self.concurrency, len(requests))) as pool:
                answers = list(pool.map(self._ask, requests))
        else:
            answers = [self._ask(request) for request in requests]
        return [proposal for proposal in answers if proposal is not None]

    def _request(self, context: Context, parent: Member) -> _Request:
        """Draw the mode here, in the calling thread, so `context.rng` use is deterministic."""
        mode = "diff" if context.rng.random() < self.diff_ratio else "rewrite"
        others = [m for m in context.inspirations if m.hash != parent.hash]
        messages = build_messages(self.problem, parent, others, context.lessons, mode)
        return _Request(parent, mode, messages)

    def _ask(self, request: _Request) -> Proposal | None:
        if self.cap.reached(self.usage):
            return None
        try:
            reply = self.chat.complete(request.messages)
            content, how = child_from_reply(request.parent.content, reply, self.language)
        except (ModelCallFailed, UnusableReply) as error:
            reason = error.reason if isinstance(error, UnusableReply) else "call_failed"
            self.usage.add_failure(reason)
            log.warning("LLM proposal skipped (%s): %s", reason, error)
            return None
        meta = {"asked": request.mode, "answered": how}
        return Proposal(content, (request.parent.hash,), self.name, meta)

    def _after_cap(self, context: Context, n: int) -> list[Proposal]:
        if not self._cap_logged:
            log.warning(
                "LLM spending cap reached (%.4f USD, %d tokens): %s",
                self.usage.cost_usd,
                self.usage.total_tokens,
                "offline mutation takes over"
                if self.on_budget == "mutation"
                else "no more proposals",
            )
            self._cap_logged = True
        return self.fallback.propose(context, n) if self.on_budget == "mutation" else []

    def tell(self, results: Sequence[Scored]) -> None:
        """Nothing to learn: the parents, scores and feedback reach the model through the prompt."""

    def state_dict(self) -> dict[str, Any]:
        """Token, cost, retry and failure counts (JSON)."""
        return {"usage": self.usage.to_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore the counts, so a resumed run keeps its spending cap."""
        self.usage.load(state.get("usage", {}))


def _check_options(problem: Problem, diff_ratio: float, concurrency: int, on_budget: str) -> None:
    where = f"task '{problem.name}': proposer kind llm"
    if problem.representation not in REPRESENTATIONS:
        raise ProposerConfigError(
            f"{where} edits programs and texts, not '{problem.representation}' candidates"
        )
    if not 0.0 <= diff_ratio <= 1.0:
        raise ProposerConfigError(f"{where}: `diff_ratio` must be in [0, 1], got {diff_ratio}")
    if concurrency < 1:
        raise ProposerConfigError(f"{where}: `concurrency` must be at least 1, got {concurrency}")
    if on_budget not in ON_BUDGET:
        raise ProposerConfigError(
            f"{where}: `on_budget` must be one of {', '.join(ON_BUDGET)}, got '{on_budget}'"
        )
