"""A local Hugging Face causal language model as a TTT policy, trained through a LoRA adapter.

The state is the prompt (the LLM proposer's messages for one parent, through the tokenizer's
chat template when it has one); an action is the token ids of one sampled reply. log pi(a | s)
is the sum of the reply tokens' log-probabilities after the prompt. Only the LoRA adapter's
weights train (`peft`); the base policy of the KL term is the same network with the adapter
switched off, so no second copy of the model is held.

The model and tokenizer load from a local folder only (`local_files_only`): nothing is
downloaded at run time. On a CPU this is for small models and plumbing; on a GPU, a real
instruction-tuned model (docs/gpu_session.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import torch

DEFAULT_TARGETS = None  # peft picks the attention projections of known architectures


@dataclass(frozen=True)
class LoraOptions:
    """The adapter: rank, scaling, dropout and which modules it wraps."""

    r: int = 8
    alpha: int = 16
    dropout: float = 0.0
    target_modules: tuple[str, ...] | None = DEFAULT_TARGETS


def load_local_lm(folder: str, device: str, lora: LoraOptions, seed: int = 0) -> tuple[Any, Any]:
    """(model with a fresh LoRA adapter, tokenizer) from a local folder; the adapter's random
    initialization is drawn from `seed`, so a rebuilt policy starts from the same weights."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(folder, local_files_only=True).to(device)
    config = LoraConfig(
        r=lora.r,
        lora_alpha=lora.alpha,
        lora_dropout=lora.dropout,
        target_modules=list(lora.target_modules) if lora.target_modules else None,
        task_type="CAUSAL_LM",
    )
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return get_peft_model(model, config), tokenizer


class CausalLMPolicy:
    """A `evolve.ttt.TTTPolicy` over a LoRA-wrapped causal LM; see the module docstring."""

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        max_new_tokens: int = 512,
        temperature: float = 1.0,
        adapter_on: bool = True,
    ) -> None:
        self.model, self.tokenizer = model, tokenizer
        self.max_new_tokens, self.temperature = max_new_tokens, temperature
        self.adapter_on = adapter_on

    def prompt_ids(self, state: str) -> list[int]:
        """Token ids of the prompt text `state`."""
        return self.tokenizer(state, add_special_tokens=True)["input_ids"]

    @torch.no_grad()
    def sample(self, state: str, k: int, generator: torch.Generator) -> list[list[int]]:
        """`k` replies (token ids) to the prompt `state`."""
        torch.manual_seed(int(torch.randint(0, 2**31 - 1, (1,), generator=generator)))
        prompt = torch.tensor([self.prompt_ids(state)], device=self.model.device)
        pad = self.tokenizer.pad_token_id
        out = self.model.generate(
            input_ids=prompt,
            attention_mask=torch.ones_like(prompt),
            do_sample=True,
            temperature=self.temperature,
            max_new_tokens=self.max_new_tokens,
            num_return_sequences=k,
            pad_token_id=pad if pad is not None else self.tokenizer.eos_token_id,
        )
        replies = out[:, prompt.shape[1] :].tolist()
        stop = {self.tokenizer.eos_token_id, pad} - {None}
        return [_cut_at(reply, stop) for reply in replies]

    def text(self, action: Sequence[int]) -> str:
        """The reply an action holds, as text."""
        return self.tokenizer.decode(list(action), skip_special_tokens=True)

    def log_probs(self, state: str, actions: Sequence[Sequence[int]]) -> torch.Tensor:
        """log pi(reply | prompt) of each action, shape [len(actions)]."""
        prompt = self.prompt_ids(state)
        rows = [prompt + list(a) for a in actions]
        length = max(len(r) for r in rows)
        ids = torch.zeros((len(rows), length), dtype=torch.long)
        mask = torch.zeros((len(rows), length), dtype=torch.long)
        written = torch.zeros((len(rows), length - 1))
        for i, row in enumerate(rows):
            ids[i, : len(row)] = torch.tensor(row)
            mask[i, : len(row)] = 1
            written[i, len(prompt) - 1 : len(row) - 1] = 1
        device = self.model.device
        ids, mask, written = ids.to(device), mask.to(device), written.to(device)
        if self.adapter_on:
            logits = self.model(input_ids=ids, attention_mask=mask).logits
        else:
            with self.model.disable_adapter():
                logits = self.model(input_ids=ids, attention_mask=mask).logits
        picked = torch.log_softmax(logits[:, :-1].float(), -1).gather(-1, ids[:, 1:, None])[..., 0]
        return (picked * written).sum(dim=1)

    def parameters(self) -> Iterable[torch.nn.Parameter]:
        """The adapter's parameters (the base model stays frozen)."""
        return [p for p in self.model.parameters() if p.requires_grad]

    def frozen_copy(self) -> CausalLMPolicy:
        """The base policy: the same network with the adapter switched off."""
        return CausalLMPolicy(
            self.model, self.tokenizer, self.max_new_tokens, self.temperature, adapter_on=False
        )


def _cut_at(reply: list[int], stop: set[int]) -> list[int]:
    """The reply up to and with its first stop token (the end is part of the action)."""
    for index, token in enumerate(reply):
        if token in stop:
            return reply[: index + 1]
    return reply
