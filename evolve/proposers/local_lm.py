"""A local causal language model as the proposer of program and text tasks, optionally
learning at test time (`proposer: {kind: local_lm, model: FOLDER, ttt: {enabled: true}}`).

The prompt for each selected parent is the one the LLM proposer sends (`evolve.proposers.
prompt`, rewrite mode); the model, loaded from a local folder (no download), writes
`ttt.group_size` replies per parent, and each reply that holds a program (or text) becomes a
child (`evolve.proposers.edits`). With `ttt.enabled`, the replies' rewards train a LoRA
adapter by TTT-Discover's entropic policy gradient (`evolve.ttt`); replies that yield no
usable child count as invalid rollouts. Without it, the model only samples (a local,
offline stand-in for the `llm` kind).

State (JSON): the groups learned from and the learning curve; on resume the adapter is rebuilt
from its seeded initialization and the updates are replayed, giving the same weights.
"""

from __future__ import annotations

import itertools
from typing import Any

import torch

from evolve.context import Context, Member, Proposal
from evolve.errors import ProposerConfigError, UnusableReply
from evolve.problem import Problem
from evolve.proposers.edits import child_from_reply
from evolve.proposers.prompt import build_messages
from evolve.ttt.causal_lm import CausalLMPolicy, LoraOptions, load_local_lm
from evolve.ttt.policy import TTTConfig, TTTLearner
from evolve.ttt.replayed import ReplayedLearning
from evolve.ttt.rollouts import GroupHistory, RolloutBook

REPRESENTATIONS = ("program", "text")


class LocalLMProposer(ReplayedLearning):
    """Replies of a local causal LM to the LLM proposer's prompts; see the module docstring.

    Options: `model` (a local folder, required), `device` (cpu), `max_new_tokens` (512),
    `temperature` (1.0), `seed` (0, the adapter's initialization), `lora` (`r`, `alpha`,
    `dropout`, `target_modules`) and `ttt` (`enabled`, `group_size`, `lr`, `kl_weight`,
    `steps_per_generation`).
    """

    name = "local_lm"

    def __init__(
        self,
        problem: Problem,
        model: str | None = None,
        device: str = "cpu",
        max_new_tokens: int = 512,
        temperature: float = 1.0,
        seed: int = 0,
        lora: dict[str, Any] | None = None,
        ttt: dict[str, Any] | None = None,
    ) -> None:
        if problem.representation not in REPRESENTATIONS:
            raise ProposerConfigError(
                f"proposer local_lm writes programs or texts, not {problem.representation}"
            )
        if not model:
            raise ProposerConfigError("proposer local_lm needs `model`: a local model folder")
        try:
            self.config = TTTConfig(**(ttt or {}))
            self.lora = LoraOptions(**(lora or {}))
        except (TypeError, ValueError) as error:
            raise ProposerConfigError(f"proposer local_lm: {error}") from None
        self.problem, self.folder, self.device, self.seed = problem, model, device, seed
        self.max_new_tokens, self.temperature = max_new_tokens, temperature
        self.language = "python" if problem.representation == "program" else "text"
        self.book = RolloutBook()
        self.counts: dict[str, int] = {}
        self._build()

    def _build(self) -> None:
        try:
            model, tokenizer = load_local_lm(self.folder, self.device, self.lora, self.seed)
        except OSError as error:
            message = f"proposer local_lm: cannot load {self.folder}: {error}"
            raise ProposerConfigError(message) from None
        self.policy = CausalLMPolicy(model, tokenizer, self.max_new_tokens, self.temperature)
        learner = TTTLearner(self.policy, self.config) if self.config.enabled else None
        self.past = GroupHistory(learner)

    def _prompt(self, context: Context, parent: Member) -> str:
        others = [m for m in context.inspirations if m.hash != parent.hash]
        messages = build_messages(self.problem, parent, others, context.lessons, "rewrite")
        tokenizer = self.policy.tokenizer
        if getattr(tokenizer, "chat_template", None):
            return tokenizer.apply_chat_template(
                messages, tokenize=False, add_generation_prompt=True
            )
        return "\n\n".join(f"{m['role']}: {m['content']}" for m in messages) + "\n\nassistant: "

    def propose(self, context: Context, n: int) -> list[Proposal]:
        """Groups of replies to the selected parents; the usable ones become children."""
        if self.book.pending:  # no child of the last groups was stored: learn from them anyway
            self.tell([])
        parents = list(context.parents) or ([context.best] if context.best else [])
        if not parents:
            return []
        generator = torch.Generator().manual_seed(int(context.rng.integers(2**63)))
        size = self.config.group_size if self.config.enabled else 1
        proposals = []
        for number, parent in zip(range(max(1, n // size)), itertools.cycle(parents)):
            tag = f"{context.generation}:{number}"
            state = self._prompt(context, parent)
            rollouts = []
            for action in self.policy.sample(state, size, generator):
                try:
                    content, how = child_from_reply(
                        parent.content, self.policy.text(action), self.language
                    )
                except UnusableReply:
                    rollouts.append((action, None))
                    continue
                rollouts.append((action, content))
                meta = {"group": tag, "answered": how}
                proposals.append(Proposal(content, (parent.hash,), self.name, meta))
            self.book.add(tag, state, rollouts)
        return proposals
