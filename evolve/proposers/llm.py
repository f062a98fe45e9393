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
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from evolve.context import Context, Member, Proposal, Scored
from evolve.errors import ModelCallFailed, ProposerConfigError, UnusableReply
from evolve.problem import Problem
from evolve.proposers.chat import ChatOptions
from evolve.proposers.edits import child_from_reply
from evolve.proposers.meta_prompts import PromptPopulation
from evolve.proposers.model_bandit import ModelBandit
from evolve.proposers.mutation import ProgramMutation
from evolve.proposers.novelty_judge import JudgeRecord, is_meaningful, judge_messages
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
    model: str
    guidance: str | None = None


class LLMProposer:
    """Ask a chat model for diffs or rewrites of the parents; see the module docstring.

    Options (the task's `proposer:` keys): `model` (required), `base_url` (None: OpenAI, or
    $OPENAI_BASE_URL), `api_key_env`, `temperature`, `max_tokens` (per reply),
    `timeout_seconds`, `max_retries`, `backoff_seconds`, `cost_per_1k_prompt_tokens`,
    `cost_per_1k_completion_tokens`, `budget_usd`, `budget_tokens`, `diff_ratio` (share of
    requests asking for diffs), `concurrency`, `on_budget` (`mutation` or `stop`) and
    `mutation` (options of the fallback `ProgramMutation`). An ensemble: `models`, a list of
    mappings of the same chat keys (`model` required in each; the top-level keys are their
    defaults), chosen per request by `selection` (`ucb` or `weighted`,
    `evolve.proposers.model_bandit`); the spending cap counts all of them together.
    `meta_prompts: {every, size}` evolves the system prompt's guidance
    (`evolve.proposers.meta_prompts`). `novelty_check: true` (programs) asks the model
    whether each child is a meaningful change before it is evaluated and drops those it
    calls cosmetic (`evolve.proposers.novelty_judge`; counted in the state's `novelty_check`).
    """

    name = "llm"

    def __init__(
        self,
        problem: Problem,
        diff_ratio: float = 0.8,
        concurrency: int = 1,
        on_budget: str = "mutation",
        mutation: dict[str, Any] | None = None,
        models: list[dict[str, Any]] | None = None,
        selection: str = "ucb",
        meta_prompts: dict[str, Any] | None = None,
        novelty_check: bool = False,
        **chat: Any,
    ) -> None:
        _check_options(problem, diff_ratio, concurrency, on_budget, novelty_check)
        where = f"task '{problem.name}': proposer kind llm"
        ensemble = _ensemble(where, chat, models)
        self.problem = problem
        self.language = "python" if problem.representation == "program" else "text"
        self.diff_ratio = diff_ratio
        self.concurrency = concurrency
        self.on_budget = on_budget
        self.usage = Usage()
        self.cap = ChatOptions.parse(where, {**chat, "model": "ensemble"}).cap()
        self.chats = {name: options.connect(self.usage) for name, options in ensemble.items()}
        try:
            self.bandit = ModelBandit(list(self.chats), selection)
            self.prompts = PromptPopulation(**meta_prompts) if meta_prompts is not None else None
        except (TypeError, ValueError) as error:
            raise ProposerConfigError(f"{where}: {error}") from None
        self.pending: dict[str, tuple[_Request, float, float]] = {}
        self.fallback = ProgramMutation(problem, **(mutation or {}))
        self.judge = JudgeRecord() if novelty_check else None
        self._judge_lock = threading.Lock()
        self._cap_logged = False

    def propose(self, context: Context, n: int) -> list[Proposal]:
        """Up to `n` model-written children (fewer when replies are unusable)."""
        if self.cap.reached(self.usage):
            return self._after_cap(context, n)
        parents = list(context.parents) or ([context.best] if context.best else [])
        if not parents:
            return []
        if self.prompts is not None and self.prompts.due(context.generation):
            self._write_guidance()
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
        model = self.bandit.pick(context.rng) if len(self.chats) > 1 else next(iter(self.chats))
        guidance = self.prompts.bandit.pick(context.rng) if self.prompts is not None else None
        text = self.prompts.texts[guidance] if guidance is not None else ""
        others = [m for m in context.inspirations if m.hash != parent.hash]
        messages = build_messages(self.problem, parent, others, context.lessons, mode, text)
        return _Request(parent, mode, messages, model, guidance)

    def complete_text(self, messages: list[dict[str, str]], purpose: str) -> str | None:
        """A reply of the best model so far to `messages` (None when the call failed or the
        spending cap is reached; counted as `<purpose>_failed`). For the engine's side
        requests: new guidance, lessons, novelty checks."""
        if self.cap.reached(self.usage):
            return None
        values = self.bandit.values()
        model = max(self.chats, key=lambda name: values[name])
        try:
            return self.chats[model].complete(messages)
        except ModelCallFailed as error:
            self.usage.add_failure(f"{purpose}_failed")
            log.warning("%s request failed: %s", purpose, error)
            return None

    def _write_guidance(self) -> None:
        """Ask the best model so far for a new guidance (a meta-prompt)."""
        reply = self.complete_text(self.prompts.request(self.problem), "meta_prompt")
        if reply is not None and self.prompts.add(reply) is None:
            self.usage.add_failure("meta_prompt_empty")

    def _ask(self, request: _Request) -> Proposal | None:
        if self.cap.reached(self.usage):
            return None
        chat, start = self.chats[request.model], time.monotonic()
        try:
            reply = chat.complete(request.messages)
            content, how = child_from_reply(request.parent.content, reply, self.language)
        except (ModelCallFailed, UnusableReply) as error:
            reason = error.reason if isinstance(error, UnusableReply) else "call_failed"
            self.usage.add_failure(reason)
            log.warning("LLM proposal skipped (%s): %s", reason, error)
            if isinstance(error, UnusableReply):  # answered, but for nothing
                self._credit(request, 0.0, chat.last_cost(), time.monotonic() - start)
            return None
        cost = chat.last_cost()
        if self.judge is not None and not self._meaningful(request.parent.content, content):
            self._credit(request, 0.0, cost, time.monotonic() - start)
            return None
        self.pending[content] = (request, cost, time.monotonic() - start)
        meta = {"asked": request.mode, "answered": how, "model": request.model}
        if request.guidance is not None:
            meta["guidance"] = request.guidance
        return Proposal(content, (request.parent.hash,), self.name, meta)

    def _meaningful(self, parent: str, child: str) -> bool:
        """The model's verdict on the change (a failed call lets the child through)."""
        verdict = is_meaningful(self.complete_text(judge_messages(parent, child), "novelty_check"))
        with self._judge_lock:
            self.judge.asked += 1
            self.judge.rejected += not verdict
        if not verdict:
            log.info("child dropped: the model judged the change cosmetic")
        return verdict

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
        """Credit each child's model with its improvement on its parent (the model learns
        nothing: parents, scores and feedback reach it through the next prompts)."""
        for result in results:
            asked = self.pending.pop(result.member.content, None)
            if asked is None:
                continue
            request, cost, seconds = asked
            parent = request.parent.fitness
            child = result.member.fitness if result.member.valid else None
            gain = child - parent if child is not None and parent is not None else 0.0
            self._credit(request, gain, cost, seconds)
        self.pending = {}

    def _credit(self, request: _Request, gain: float, cost: float, seconds: float) -> None:
        """Score the request's model and guidance with its child's improvement."""
        self.bandit.update(request.model, gain, cost, seconds)
        if self.prompts is not None and request.guidance in self.prompts.texts:
            self.prompts.bandit.update(request.guidance, gain, cost, seconds)

    def state_dict(self) -> dict[str, Any]:
        """Token, cost, retry and failure counts, and per-model records (JSON)."""
        state = {"usage": self.usage.to_dict(), "models": self.bandit.state()}
        if self.prompts is not None:
            state["meta_prompts"] = self.prompts.state()
        if self.judge is not None:
            state["novelty_check"] = vars(self.judge).copy()
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore the counts, so a resumed run keeps its spending cap and model choice."""
        self.usage.load(state.get("usage", {}))
        self.bandit.load(state.get("models", {}))
        if self.prompts is not None:
            self.prompts.load(state.get("meta_prompts", {}))
        if self.judge is not None:
            self.judge.load(state.get("novelty_check", {}))


def _ensemble(
    where: str, chat: dict[str, Any], models: list[dict[str, Any]] | None
) -> dict[str, ChatOptions]:
    """The chat options of each model, by name: `models` over the shared keys, or one model."""
    if not models:
        options = ChatOptions.parse(where, chat)
        return {str(options.model): options}
    if not isinstance(models, list) or not all(isinstance(m, dict) for m in models):
        raise ProposerConfigError(f"{where}: `models` must be a list of mappings")
    shared = {k: v for k, v in chat.items() if k not in ("model", "budget_usd", "budget_tokens")}
    ensemble = {}
    for number, entry in enumerate(models):
        options = ChatOptions.parse(f"{where}, models[{number}]", {**shared, **entry})
        name = str(options.model) if options.model not in ensemble else f"{options.model}#{number}"
        ensemble[name] = options
    return ensemble


def _check_options(
    problem: Problem, diff_ratio: float, concurrency: int, on_budget: str, novelty_check: bool
) -> None:
    where = f"task '{problem.name}': proposer kind llm"
    if novelty_check and problem.representation != "program":
        raise ProposerConfigError(f"{where}: `novelty_check` judges programs only")
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
