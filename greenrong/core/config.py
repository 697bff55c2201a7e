"""Settings: one pydantic-settings class, read from ``GREENRONG_*`` variables."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path("var")


class Settings(BaseSettings):
    """Everything greenrong reads from its environment.

    Each field is ``GREENRONG_<NAME>`` in the environment (or a ``.env`` file).
    """

    model_config = SettingsConfigDict(env_prefix="GREENRONG_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="",
        description="SQLAlchemy async URL. Empty means SQLite in <data_dir>/greenrong.db.",
    )
    data_dir: Path = Field(
        default=DEFAULT_DATA_DIR, description="Where embedded mode keeps its files."
    )
    host: str = Field(default="127.0.0.1", description="Address `greenrong serve` binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `greenrong serve` binds to.")
    workers: int = Field(default=1, ge=1, le=64, description="API processes for `greenrong serve`.")
    log_level: str = Field(default="INFO", description="Root log level.")
    log_json: bool = Field(default=False, description="Log one JSON object per line.")
    db_pool_size: int = Field(
        default=10, ge=1, le=200, description="PostgreSQL connections per process."
    )
    db_max_overflow: int = Field(
        default=5, ge=0, le=200, description="Extra connections under bursts."
    )
    db_echo: bool = Field(default=False, description="Log every SQL statement.")
    db_statement_timeout_seconds: float = Field(
        default=5.0,
        ge=0,
        le=3600,
        description="PostgreSQL cancels an API statement that runs longer (a TIMEOUT error); "
        "0: no limit. Workers, the CLI and migrations have none.",
    )
    graphiql: bool = Field(
        default=True, description="Serve GraphiQL on GET /graphql from a browser."
    )
    tracing_endpoint: str = Field(
        default="",
        description="OTLP/HTTP collector for OpenTelemetry traces "
        "(`http://collector:4318/v1/traces`); empty: tracing off. Needs the `tracing` extra.",
    )
    metrics: bool = Field(
        default=True,
        description="Serve Prometheus metrics at GET /metrics (keep it on the internal network).",
    )
    cors_origins: str = Field(
        default="",
        description="Browser origins allowed to call the API from another site, comma-separated "
        "(`https://portal.example.cn`); empty: none.",
    )
    max_query_depth: int = Field(default=12, ge=2, le=50, description="Deepest selection allowed.")
    max_aliases: int = Field(
        default=30, ge=1, le=1000, description="Most aliases in one operation."
    )
    max_page_size: int = Field(default=100, ge=1, le=100, description="Largest `first`/`last`.")
    max_input_nodes: int = Field(
        default=500,
        ge=10,
        le=100_000,
        description="Most input objects and list items in one operation's arguments, counted "
        "after the variables are applied (a `where` tree's and/or/not entries, conditions and "
        "`in` items); more is refused before any SQL (docs/SECURITY.md, Input limits).",
    )
    max_body_bytes: int = Field(
        default=1_048_576,
        ge=1024,
        le=1_073_741_824,
        description="Largest HTTP request body; a larger one answers 413 (docs/SECURITY.md).",
    )
    body_timeout_seconds: float = Field(
        default=15.0,
        gt=0,
        le=3600,
        description="Time a client has to send its whole request body; then 408 and the "
        "connection is closed (docs/SECURITY.md).",
    )
    compiled_views: bool = Field(
        default=True,
        description="Answer plain column-and-relation views with one SQL statement that builds "
        "the JSON in PostgreSQL (docs/PERFORMANCE.md); off: always the resolver path.",
    )
    default_page_size: int = Field(default=20, ge=1, le=100, description="`first` when none given.")
    max_query_cost: int = Field(
        default=5000,
        ge=10,
        le=10_000_000,
        description="Most cost points one operation may ask for (docs/SECURITY.md, Query limits).",
    )
    query_budget_per_minute: int = Field(
        default=50_000,
        ge=10,
        le=1_000_000_000,
        description="Cost points each caller (key, token subject or IP) may spend per minute.",
    )
    persisted_query_cache_size: int = Field(
        default=1000, ge=1, le=1_000_000, description="Most persisted queries kept per process."
    )
    row_cache_size: int = Field(
        default=20_000,
        ge=0,
        le=10_000_000,
        description="Rows by id each API process keeps while the database's rows revision is "
        "unchanged (enterprises, projects, products, demands; about 2 KB a row); 0: none.",
    )
    persisted_query_allowlist: str = Field(
        default="",
        description="JSON file of role -> sha256 hashes. Set: only those persisted queries run.",
    )
    opensearch_url: str = Field(
        default="", description="OpenSearch cluster URL. Empty means the embedded osmem-server."
    )
    opensearch_username: str = Field(
        default="", description="User for HTTP basic authentication to the cluster (empty: none)."
    )
    opensearch_password: SecretStr = Field(
        default=SecretStr(""), description="That user's password."
    )
    opensearch_api_key: SecretStr = Field(
        default=SecretStr(""),
        description="An API key sent as `Authorization: ApiKey <key>`, instead of a user.",
    )
    opensearch_ca_bundle: Path | None = Field(
        default=None,
        description="PEM file of the CA(s) that signed the cluster's certificate (default: the "
        "system's trusted CAs).",
    )
    opensearch_verify_certs: bool = Field(
        default=True,
        description="Verify the cluster's TLS certificate; switch off only for a test cluster.",
    )
    search_index_prefix: str = Field(
        default="greenrong",
        pattern=r"^[a-z][a-z0-9_-]{0,40}$",
        description="Prefix of index and alias names, so deployments can share a cluster.",
    )
    search_timeout_seconds: float = Field(
        default=10.0, gt=0, le=120, description="Timeout of each request to the search engine."
    )
    search_rebuild_progress: bool = Field(
        default=True, description="Show a progress bar when start-up rebuilds an index."
    )
    search_rebuild_on_start: bool = Field(
        default=True,
        description=(
            "Fill missing or empty indices from the database when the API or a worker starts. "
            "Off: missing indices are created empty, and `greenrong reindex` fills them."
        ),
    )
    broker_url: str = Field(
        default="", description="Dramatiq broker (redis://…). Empty means an in-process worker."
    )
    broker_timeout_seconds: float = Field(
        default=5.0, gt=0, le=120, description="Timeout of each request to the broker."
    )
    worker_threads: int = Field(
        default=4, ge=1, le=64, description="Dramatiq worker threads of `greenrong worker`."
    )
    relay_poll_seconds: float = Field(
        default=2.0,
        gt=0,
        le=3600,
        description="How often the outbox relay looks for events not handed over yet.",
    )
    relay_batch_size: int = Field(
        default=100, ge=1, le=10000, description="Most events the relay hands over at once."
    )
    relay_lease_seconds: float = Field(
        default=120.0,
        gt=0,
        le=86400,
        description="How long a handed-over event may stay unfinished before a relay retakes it.",
    )
    index_max_retries: int = Field(
        default=5,
        ge=0,
        le=100,
        description="Retries of an indexing message after a retryable failure.",
    )
    index_min_backoff_seconds: float = Field(
        default=1.0, gt=0, le=3600, description="First wait before an indexing retry."
    )
    index_max_backoff_seconds: float = Field(
        default=60.0, gt=0, le=86400, description="Longest wait between indexing retries."
    )
    index_time_limit_seconds: float = Field(
        default=300.0, gt=0, le=3600, description="Longest one indexing message may run."
    )
    consumer_batch_size: int = Field(
        default=100,
        ge=1,
        le=10000,
        description="Most feed events one run of a feed consumer (alerts, identification) takes.",
    )
    consumer_time_limit_seconds: float = Field(
        default=120.0,
        gt=0,
        le=3600,
        description="Longest one run of a feed consumer may take; its lease is 30 s longer.",
    )
    review_open_limit: int = Field(
        default=3,
        ge=1,
        le=100,
        description="Open reviews an expert may hold before reviewerMatches leaves them out.",
    )
    certification_consolidation: Literal["MEAN", "MEDIAN"] = Field(
        default="MEAN",
        description="How reviewers' dimension scores become one: their mean or their median.",
    )
    certification_spread_threshold: Decimal = Field(
        default=Decimal("15"),
        ge=0,
        le=100,
        description="Highest minus lowest reviewer total above which a second round is flagged.",
    )
    certification_min_reviewers: int = Field(
        default=2, ge=1, le=20, description="Experts a certification needs before review starts."
    )
    certification_validity_years: int = Field(
        default=3, ge=1, le=10, description="Years a green certificate is valid (our assumption)."
    )
    certification_expiry_seconds: float = Field(
        default=3600.0,
        gt=0,
        le=86400,
        description="How often the deployment expires certificates whose validity has ended.",
    )
    libraries_refresh_seconds: float = Field(
        default=86400.0,
        gt=0,
        le=604800,
        description="How often the deployment brings Project.libraries up to the calendar.",
    )
    schedule_poll_seconds: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="How often each API process looks for a periodic pass that is due.",
    )
    feed_poll_seconds: float = Field(
        default=2.0,
        gt=0,
        le=3600,
        description="How often the feed publisher and live subscriptions look for new events.",
    )
    feed_batch_size: int = Field(
        default=500, ge=1, le=10000, description="Most events the feed publisher numbers at once."
    )
    subscription_keepalive_seconds: float = Field(
        default=15.0,
        gt=0,
        le=3600,
        description="Interval of the server's `ping` on graphql-transport-ws connections.",
    )
    socket_credential_check_seconds: float = Field(
        default=2.0,
        gt=0,
        le=5,
        description="How often an open WebSocket checks its API key again (revoked, expired); "
        "a revoked key's sockets close with 4403 within this interval.",
    )
    webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, le=120, description="Timeout of each webhook request."
    )
    webhook_min_backoff_seconds: float = Field(
        default=30.0, gt=0, le=86400, description="First wait before a webhook retry."
    )
    webhook_max_backoff_seconds: float = Field(
        default=21600.0, gt=0, le=604800, description="Longest wait between webhook retries."
    )
    webhook_retry_window_seconds: float = Field(
        default=259200.0,
        gt=0,
        le=2592000,
        description="How long a webhook delivery is retried before it fails.",
    )
    webhook_rotation_overlap_seconds: float = Field(
        default=86400.0,
        ge=0,
        le=2592000,
        description="How long the old webhook secret still signs after a rotation.",
    )
    jwt_secret: str = Field(
        default="",
        description="HS256 secret for bearer JWTs (at least 32 bytes). Empty: no HS256 tokens.",
    )
    jwt_public_key: str = Field(
        default="",
        description="PEM public key for RS256 bearer JWTs. Empty: no RS256 tokens.",
    )
    jwt_issuer: str = Field(
        default="", description="Required `iss` claim of bearer JWTs. Empty: not checked."
    )
    jwt_audience: str = Field(
        default="", description="Required `aud` claim of bearer JWTs. Empty: not checked."
    )
    report_font: str = Field(
        default="",
        description="A TTF/TTC font with Chinese glyphs for carbon report PDFs. Empty: Debian's "
        "fonts-wqy-microhei (or fonts-wqy-zenhei) where installed.",
    )

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"unknown log level {value!r}")
        return level

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if value and not value.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
            raise ValueError(
                "database_url must use an async driver: postgresql+asyncpg://… or sqlite+aiosqlite://…"
            )
        return value

    @field_validator("jwt_secret")
    @classmethod
    def _long_secret(cls, value: str) -> str:
        if value and len(value.encode()) < 32:
            raise ValueError("jwt_secret must be at least 32 bytes (RFC 7518 §3.2)")
        return value

    @model_validator(mode="after")
    def _query_limits(self) -> Settings:
        if self.default_page_size > self.max_page_size:
            raise ValueError("default_page_size must not exceed max_page_size")
        if self.query_budget_per_minute < self.max_query_cost:
            raise ValueError("query_budget_per_minute must be at least max_query_cost")
        return self

    @model_validator(mode="after")
    def _backoff_order(self) -> Settings:
        if self.index_min_backoff_seconds > self.index_max_backoff_seconds:
            raise ValueError("index_min_backoff_seconds must not exceed index_max_backoff_seconds")
        if self.webhook_min_backoff_seconds > self.webhook_max_backoff_seconds:
            raise ValueError(
                "webhook_min_backoff_seconds must not exceed webhook_max_backoff_seconds"
            )
        return self

    @model_validator(mode="after")
    def _search_credentials(self) -> Settings:
        if bool(self.opensearch_username) != bool(self.opensearch_password.get_secret_value()):
            raise ValueError("opensearch_username and opensearch_password go together")
        if self.opensearch_username and self.opensearch_api_key.get_secret_value():
            raise ValueError("give opensearch_api_key or opensearch_username, not both")
        if self.opensearch_ca_bundle is not None and not self.opensearch_ca_bundle.is_file():
            raise ValueError(f"opensearch_ca_bundle: no file {self.opensearch_ca_bundle}")
        return self

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        for origin in (o.strip() for o in value.split(",") if o.strip()):
            scheme, _, rest = origin.partition("://")
            if scheme not in ("http", "https") or not rest or "/" in rest or origin == "*":
                raise ValueError(
                    f"{origin!r} is not an origin: give scheme://host[:port], no path, no *"
                )
        return value

    @property
    def allowed_origins(self) -> list[str]:
        """``cors_origins`` as a list."""
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    @property
    def effective_database_url(self) -> str:
        """The configured URL, or the embedded SQLite file under ``data_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'greenrong.db'}"


class SettingsError(ValueError):
    """A setting holds a value greenrong refuses: the message names the variable, where its
    value came from and what it must be (no traceback: it is the operator's to fix)."""


ENV_PREFIX = "GREENRONG_"
ENV_FILE = Path(".env")


def _dotenv() -> dict[str, str]:
    """The ``GREENRONG_*`` names and values of ``.env`` (as pydantic-settings reads it)."""
    from dotenv import dotenv_values

    if not ENV_FILE.is_file():
        return {}
    return {k.upper(): v or "" for k, v in dotenv_values(ENV_FILE).items()}


def _variable(location: tuple[int | str, ...]) -> str:
    """The environment variable of an error's location ("GREENRONG_MAX_PAGE_SIZE"); a
    cross-field rule has no location and is named by the fields its message names."""
    return ENV_PREFIX + str(location[0]).upper() if location else ENV_PREFIX + "*"


def explain(error: Exception, environ: Mapping[str, str] | None = None) -> str:
    """One line per refused setting: the variable, its value and where it came from, and
    what it must be."""
    from pydantic import ValidationError

    if not isinstance(error, ValidationError):
        return str(error)
    env = {k.upper(): v for k, v in (os.environ if environ is None else environ).items()}
    dotenv = _dotenv()
    lines = []
    for item in error.errors():
        variable = _variable(item["loc"])
        if variable in env:
            source = "from the environment"
            value = env[variable]
        elif variable in dotenv:
            source = f"from {ENV_FILE}"
            value = dotenv[variable]
        else:
            source, value = "", None
        field = Settings.model_fields.get(str(item["loc"][0])) if item["loc"] else None
        if value is not None and field is not None and field.annotation is SecretStr:
            value = "<hidden>"
        message = str(item["msg"]).removeprefix("Value error, ")
        if not item["loc"]:  # a rule between settings: name each by its variable
            message = re.sub(
                r"\b[a-z][a-z0-9_]+\b",
                lambda m: ENV_PREFIX + m[0].upper() if m[0] in Settings.model_fields else m[0],
                message,
            )
            lines.append(message)
        elif value is None:
            lines.append(f"{variable}: {message}")
        else:
            lines.append(f"{variable}={value!r} ({source}): {message}")
    return "\n".join(lines)


def unknown_variables(environ: Mapping[str, str] | None = None) -> list[str]:
    """``GREENRONG_*`` names in the environment or ``.env`` that name no setting (a typo,
    probably); test-only variables (``GREENRONG_TEST_*``) are not settings and not reported."""
    env = os.environ if environ is None else environ
    known = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    names = {k.upper() for k in env if k.upper().startswith(ENV_PREFIX)} | set(_dotenv())
    return sorted(n for n in names if n not in known and not n.startswith(ENV_PREFIX + "TEST_"))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, validated once; ``SettingsError`` names what is wrong."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as error:
        raise SettingsError(explain(error)) from None
