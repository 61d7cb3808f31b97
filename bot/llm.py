"""The optional chat model, through LangChain's chat-model interface.

``ASKCOUNCIL_LLM`` names it as ``provider:model``:

- ``openai:gpt-4o-mini``: OpenAI, or any OpenAI-compatible server at ``ASKCOUNCIL_LLM_BASE_URL``;
- ``azure_openai:DEPLOYMENT``: Azure OpenAI at ``ASKCOUNCIL_LLM_BASE_URL`` (the resource
  endpoint) with ``ASKCOUNCIL_LLM_API_VERSION``;
- ``ollama:llama3.1``: a local Ollama, through its OpenAI-compatible API
  (default ``http://127.0.0.1:11434/v1``).

Retries are off: the composer has its own deadline and falls back to the extractive answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from askcouncil.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

OLLAMA_URL = "http://127.0.0.1:11434/v1"


def chat_model(settings: Settings) -> BaseChatModel | None:
    if not settings.llm:
        return None
    provider, _, model = settings.llm.partition(":")
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    common: dict[str, Any] = {"temperature": 0, "max_retries": 0,
                              "timeout": settings.llm_timeout_s, "max_tokens": 400}
    if provider == "azure_openai":
        from langchain_openai import AzureChatOpenAI

        return AzureChatOpenAI(azure_deployment=model, azure_endpoint=settings.llm_base_url,
                               api_version=settings.llm_api_version, api_key=key, **common)
    from langchain_openai import ChatOpenAI

    if provider == "ollama":
        return ChatOpenAI(model=model, base_url=settings.llm_base_url or OLLAMA_URL,
                          api_key=key or "ollama", **common)
    return ChatOpenAI(model=model, base_url=settings.llm_base_url, api_key=key, **common)
