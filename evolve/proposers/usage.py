"""Token and cost accounting of a model-backed proposer, and its spending cap.

Counts come from each response's `usage` (prompt and completion tokens); the cost is
``prompt_tokens / 1000 * cost_per_1k_prompt + completion_tokens / 1000 * cost_per_1k_completion``.
Failures are counted by reason (`call_failed`, `empty_reply`, `no_code`, `diff_not_applied`,
...). The whole record is JSON, kept in the proposer's `state_dict`, so it survives a resume.
Thread-safe: concurrent requests of one generation update it under a lock.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Pricing:
    """US dollars per 1,000 prompt and completion tokens (0 for a local model)."""

    prompt_per_1k: float = 0.0
    completion_per_1k: float = 0.0

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        """Dollar cost of one response."""
        return (
            prompt_tokens * self.prompt_per_1k + completion_tokens * self.completion_per_1k
        ) / 1e3


@dataclass(frozen=True)
class SpendingCap:
    """Stop calling the model once the dollars or the tokens spent reach a limit (None: no limit)."""

    max_usd: float | None = None
    max_tokens: int | None = None

    def reached(self, usage: Usage) -> bool:
        """True once either limit is reached."""
        if self.max_usd is not None and usage.cost_usd >= self.max_usd:
            return True
        return self.max_tokens is not None and usage.total_tokens >= self.max_tokens


@dataclass
class Usage:
    """What the model calls cost so far, and how many failed, by reason."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    retries: int = 0
    failures: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def total_tokens(self) -> int:
        """Prompt plus completion tokens."""
        return self.prompt_tokens + self.completion_tokens

    def add_response(self, prompt_tokens: int, completion_tokens: int, pricing: Pricing) -> None:
        """Count one answered request."""
        with self._lock:
            self.calls += 1
            self.prompt_tokens += prompt_tokens
            self.completion_tokens += completion_tokens
            self.cost_usd += pricing.cost(prompt_tokens, completion_tokens)

    def add_retry(self) -> None:
        """Count one retried request (timeout, HTTP 429/5xx, lost connection)."""
        with self._lock:
            self.retries += 1

    def add_failure(self, reason: str) -> None:
        """Count one proposal lost to `reason`."""
        with self._lock:
            self.failures[reason] = self.failures.get(reason, 0) + 1

    def to_dict(self) -> dict[str, Any]:
        """JSON form, for `state_dict`."""
        with self._lock:
            return {
                "calls": self.calls,
                "prompt_tokens": self.prompt_tokens,
                "completion_tokens": self.completion_tokens,
                "cost_usd": self.cost_usd,
                "retries": self.retries,
                "failures": dict(self.failures),
            }

    def load(self, data: dict[str, Any]) -> None:
        """Restore what `to_dict` returned (missing keys count as zero)."""
        with self._lock:
            self.calls = int(data.get("calls", 0))
            self.prompt_tokens = int(data.get("prompt_tokens", 0))
            self.completion_tokens = int(data.get("completion_tokens", 0))
            self.cost_usd = float(data.get("cost_usd", 0.0))
            self.retries = int(data.get("retries", 0))
            self.failures = {str(k): int(v) for k, v in data.get("failures", {}).items()}
