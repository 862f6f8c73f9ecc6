"""The hub's settings, read once per process from ``SHIPMUX_*`` variables and ``.env``.

Nothing here is built at import time: ``load_settings()`` is called by each
entry point and the result handed to ``bootstrap``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ApiSettings", "Settings", "WorkerSettings", "load_settings"]


class WorkerSettings(BaseModel):
    concurrency: int = Field(default=16, ge=1, le=512, description="carrier calls in flight")
    claim_size: int = Field(default=200, ge=1, le=5000, description="jobs in flight at most")
    idle_sleep_seconds: float = Field(default=0.2, gt=0)
    lease_seconds: float = Field(default=300, gt=0, description="a crashed worker's jobs return")
    # With backoff doubling from 2 s to a 10 min cap, 20 tries span about 2.5 hours:
    # carrier outages last that long, and a transient failure must not become a lost order.
    max_attempts: int = Field(default=20, ge=3)
    backoff_base_seconds: float = Field(default=2.0, gt=0)
    backoff_cap_seconds: float = Field(default=600.0, gt=0)
    breaker_threshold: int = Field(default=5, ge=1, description="transient failures in a row")
    breaker_cooldown_seconds: float = Field(default=30.0, gt=0)
    # Merchant webhooks: the wait after each failed try, then the delivery is dead.
    # 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: eight tries over about 27.6 hours, so an
    # endpoint down for a working day still gets every event (Standard Webhooks' advice).
    webhook_retry_seconds: list[float] = Field(
        default=[5, 300, 1800, 7200, 18000, 36000, 36000], min_length=1
    )
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, description="per merchant POST")
    webhook_claim_size: int = Field(default=100, ge=1, le=5000, description="deliveries a round")


class ApiSettings(BaseModel):
    max_body_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    max_batch: int = 500


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SHIPMUX_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    data_dir: Path = Path("data")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite in data_dir"
    )
    secret_key: SecretStr | None = Field(
        default=None, description="Fernet key for carrier secrets; default: data_dir/secret.key"
    )
    keep_successful_exchanges: bool = True
    allow_private_webhook_urls: bool = Field(
        default=False,
        description=(
            "let merchant webhook endpoints be loopback, private or link-local addresses "
            "(development and tests only: otherwise a tenant could make the hub call "
            "its own network)"
        ),
    )
    log_level: str = Field(default="INFO", pattern=r"^(DEBUG|INFO|WARNING|ERROR)$")
    log_json: bool = False
    api: ApiSettings = Field(default_factory=ApiSettings)
    worker: WorkerSettings = Field(default_factory=WorkerSettings)

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'shipmux.db'}"

    @property
    def label_dir(self) -> Path:
        return self.data_dir / "labels"


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
