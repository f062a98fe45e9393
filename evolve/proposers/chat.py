"""A chat model behind any OpenAI-compatible endpoint (OpenAI, vLLM, llama.cpp, Ollama).

One place talks to the `openai` client. Transient failures (timeouts, lost connections,
HTTP 408/409/429 and 5xx) are retried with exponential backoff
``backoff_seconds * 2**attempt`` (capped, and never shorter than a 429's `Retry-After`);
anything else (a 4xx, a body that is not JSON), or the last failed attempt, raises
`ModelCallFailed`. Every answered request
is counted in the shared `Usage` from the response's `usage` field.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, fields
from typing import Any

import openai

from evolve.errors import ModelCallFailed, ProposerConfigError
from evolve.proposers.usage import Pricing, SpendingCap, Usage

log = logging.getLogger(__name__)

RETRY_STATUS = (408, 409, 429)
MAX_BACKOFF_SECONDS = 60.0
LOCAL_API_KEY = "not-needed"


@dataclass(frozen=True)
class ChatSettings:
    """Endpoint, model and request settings (the `proposer:` keys of the task YAML)."""

    model: str
    base_url: str | None = None
    api_key_env: str = "OPENAI_API_KEY"
    temperature: float = 0.7
    max_tokens: int | None = 4096
    timeout_seconds: float = 120.0
    max_retries: int = 3
    backoff_seconds: float = 1.0


@dataclass(frozen=True)
class ChatOptions(ChatSettings):
    """The `proposer:` keys every chat-model proposer shares: the endpoint and request
    settings, the prices per 1,000 tokens and the spending cap (see docs/proposers.md).
    `model` may be left out here only so that `parse` can name it in its error."""

    model: str | None = None  # type: ignore[assignment]
    cost_per_1k_prompt_tokens: float = 0.0
    cost_per_1k_completion_tokens: float = 0.0
    budget_usd: float | None = None
    budget_tokens: int | None = None

    @classmethod
    def parse(cls, where: str, options: dict[str, Any], **defaults: Any) -> ChatOptions:
        """Validate `options` (over a proposer's own `defaults`); errors name the fix."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise ProposerConfigError(
                f"{where}: unknown option(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        chosen = cls(**{**defaults, **options})
        if not chosen.model:
            raise ProposerConfigError(f"{where} needs `model:` (the name the endpoint serves)")
        return chosen

    def connect(self, usage: Usage) -> ChatModel:
        """A client for these settings that counts into `usage`."""
        pricing = Pricing(self.cost_per_1k_prompt_tokens, self.cost_per_1k_completion_tokens)
        return ChatModel(self, usage, pricing)

    def cap(self) -> SpendingCap:
        """The spending cap these options set."""
        return SpendingCap(self.budget_usd, self.budget_tokens)


def _api_key(settings: ChatSettings) -> str:
    """The key from `api_key_env`; a local endpoint (`base_url` set) may have none."""
    key = os.environ.get(settings.api_key_env)
    if key:
        return key
    if settings.base_url or os.environ.get("OPENAI_BASE_URL"):
        return LOCAL_API_KEY
    raise ProposerConfigError(
        f"proposer kind llm: ${settings.api_key_env} is not set and no `base_url` is given; "
        f"export {settings.api_key_env}=... or set `proposer.base_url` to a local "
        "OpenAI-compatible server (vLLM, llama.cpp, Ollama)"
    )


def _is_transient(error: openai.OpenAIError) -> bool:
    if isinstance(error, openai.APIConnectionError):  # includes timeouts
        return True
    if isinstance(error, openai.APIStatusError):
        return error.status_code in RETRY_STATUS or error.status_code >= 500
    return False


def _retry_after_seconds(error: openai.OpenAIError) -> float:
    response = getattr(error, "response", None)
    header = response.headers.get("retry-after") if response is not None else None
    try:
        return min(float(header), MAX_BACKOFF_SECONDS) if header else 0.0
    except ValueError:
        return 0.0


def _reply_text(response: Any) -> str:
    choices = getattr(response, "choices", None) or []
    message = getattr(choices[0], "message", None) if choices else None
    return (getattr(message, "content", None) or "") if message is not None else ""


class ChatModel:
    """Send chat messages, get the reply text; retries and accounting included."""

    def __init__(self, settings: ChatSettings, usage: Usage, pricing: Pricing) -> None:
        self.settings = settings
        self.usage = usage
        self.pricing = pricing
        self._last = threading.local()  # the cost of this thread's last answered request
        self.client = openai.OpenAI(
            base_url=settings.base_url,
            api_key=_api_key(settings),
            timeout=settings.timeout_seconds,
            max_retries=0,  # retried here, so that each retry is counted and logged
        )

    def complete(self, messages: list[dict[str, str]]) -> str:
        """The reply's text ("" when the model sent none); `ModelCallFailed` on failure."""
        attempt = 0
        while True:
            try:
                response = self._request(messages)
            except openai.OpenAIError as error:
                if not _is_transient(error) or attempt >= self.settings.max_retries:
                    raise self._failure(error, attempt) from error
                self._wait(attempt, error)
                attempt += 1
                continue
            except ValueError as error:  # a 200 whose body is not JSON (a proxy's error page)
                raise self._failure(error, attempt) from error
            self._count(response)
            return _reply_text(response)

    def _failure(self, error: Exception, attempt: int) -> ModelCallFailed:
        return ModelCallFailed(
            f"model '{self.settings.model}' at {self.client.base_url}: "
            f"{type(error).__name__}: {error} (after {attempt + 1} attempts)"
        )

    def _request(self, messages: list[dict[str, str]]) -> Any:
        options: dict[str, Any] = {"temperature": self.settings.temperature}
        if self.settings.max_tokens is not None:
            options["max_tokens"] = self.settings.max_tokens
        return self.client.chat.completions.create(
            model=self.settings.model, messages=messages, **options
        )

    def _wait(self, attempt: int, error: openai.OpenAIError) -> None:
        delay = min(self.settings.backoff_seconds * 2**attempt, MAX_BACKOFF_SECONDS)
        delay = max(delay, _retry_after_seconds(error))
        log.warning(
            "model call failed (%s), retry %d in %.2fs", type(error).__name__, attempt + 1, delay
        )
        self.usage.add_retry()
        time.sleep(delay)

    def _count(self, response: Any) -> None:
        usage = getattr(response, "usage", None)
        prompt = int(getattr(usage, "prompt_tokens", 0) or 0)
        completion = int(getattr(usage, "completion_tokens", 0) or 0)
        self.usage.add_response(prompt, completion, self.pricing)
        self._last.cost = self.pricing.cost(prompt, completion)

    def last_cost(self) -> float:
        """Dollars of the last request this thread got an answer to (0 before any)."""
        return getattr(self._last, "cost", 0.0)
