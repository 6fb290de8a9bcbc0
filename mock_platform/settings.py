"""Configuration of the mock platform, validated when built."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from ceb.types import TransportKind
from mock_platform.customs import CustomsTiming
from mock_platform.positive_list import PositiveList, load_positive_list
from mock_platform.tls import TlsFiles


class Limits(BaseModel):
    """Personal limits and tolerances of the declaration rules (docs/domain.md, "Matching and the declaration rules")."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    per_transaction_cny: Decimal = Decimal("5000")
    annual_cny: Decimal = Decimal("26000")
    amount_tolerance_cny: Decimal = Field(Decimal("0.00"), ge=0)
    tax_tolerance_cny: Decimal = Field(Decimal("0.01"), ge=0)


class Settings(BaseModel):
    """Everything `create_app` needs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    database: str = "mock-platform.db"  # an SQLite file, or a postgresql:// URL
    body_limit_bytes: int = Field(1024 * 1024, gt=0)
    body_timeout_s: float = Field(5.0, gt=0)  # a slower client gets 408 (slowloris)
    body_budget_bytes: int = Field(64 * 1024 * 1024, gt=0)  # bodies held at once, all requests; 503 beyond
    head_limit_bytes: int = Field(32 * 1024, gt=0)  # a request's line and headers; 431 beyond
    head_fields_max: int = Field(100, gt=0)  # header fields of a request; 431 beyond
    head_timeout_s: float = Field(10.0, gt=0)  # connect (or a request's first byte) to its last header; 408
    max_connections: int = Field(1024, gt=0)  # open connections (uvicorn's limit_concurrency); 503 beyond
    commit_batch_max: int = Field(256, gt=0)
    sqlite_synchronous: str = Field("FULL", pattern="^(FULL|NORMAL)$")
    receipt_page_max: int = Field(1000, gt=0)
    matching_timeout_s: float = Field(60.0, gt=0)
    engine_tick_s: float = Field(0.05, gt=0)
    customs: CustomsTiming = CustomsTiming()
    limits: Limits = Limits()
    customs_code: str = "8000"
    seed: int | None = None
    capacity_msgs_per_s: float | None = Field(None, gt=0)  # None: as fast as the machine allows
    queue_limit: int = Field(256, gt=0)  # messages waiting or in progress before 429
    admin_token: SecretStr | None = None  # None (or empty): /admin/faults is off
    return_window_s: float = Field(30 * 86400, gt=0)  # CEB625 after release (compressed with customs)
    direct_mail_arrival_required: bool = False  # 9610 lists wait for their CEB711 before release
    receipt_duplicate_ratio: float = Field(0.0, ge=0, le=1)  # receipts delivered twice
    receipt_reorder_ratio: float = Field(0.0, ge=0, le=1)  # followed by a late resend of the previous
    positive_list: PositiveList = Field(default_factory=load_positive_list)
    pilots: frozenset[str] = frozenset()  # pilot categories allowed (e.g. "pet-food")
    tally_first: bool = False  # every 1210 list needs tallied stock (else only tallied books are checked)
    transports: frozenset[TransportKind] = frozenset({TransportKind.CEB_HTTP})
    dxp_root: Path | None = None  # the dxp-folder transport's send/, receive/ and error/ folders
    folder_scan_s: float = Field(0.05, gt=0)  # how often send/ is listed and receipts are written out
    folder_batch_max: int = Field(64, gt=0)  # files of send/ being taken at once
    trust: tuple[Path, ...] = ()  # certificates whose signatures every message needs; empty: none checked
    tls: TlsFiles | None = None  # serve HTTPS (and ask for client certificates with a client CA)

    @model_validator(mode="after")
    def _folder_transport_has_a_root(self) -> Settings:
        if not self.transports:
            raise ValueError("transports: at least one transport is needed")
        if (TransportKind.DXP_FOLDER in self.transports) != (self.dxp_root is not None):
            raise ValueError("dxp_root: the dxp-folder transport needs a root folder, and only it takes one")
        return self

    @field_validator("admin_token", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: object) -> object:
        """An empty token would turn the admin API on with a token nobody can send."""
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        return None if isinstance(text, str) and not text.strip() else value

    @property
    def allowed_hs_prefixes(self) -> tuple[str, ...]:
        """The positive list's HS prefixes in force."""
        return self.positive_list.allowed_prefixes(self.pilots)
