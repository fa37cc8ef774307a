"""Validated input for recipients and subscriptions (API bodies and import rows)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, EmailStr, Field, HttpUrl, model_validator
from pydantic_core import PydanticCustomError

from newswire.domain.query import QueryError, parse_query
from newswire.intake.validate import (
    CountryCode,
    IndustryCode,
    LanguageTag,
    RegionCode,
    StrictInput,
)

RecipientKind = Literal["journalist", "editor", "terminal", "partner"]
OutletType = Literal[
    "newspaper", "magazine", "tv", "radio", "online", "agency", "trade", "blog", "newsletter",
    "terminal", "other",
]  # fmt: skip
Channel = Literal["email", "webhook", "stream", "websub"]
Frequency = Literal["realtime", "digest"]
KIND_CHANNEL: dict[str, str] = {
    "journalist": "email",
    "editor": "email",
    "terminal": "stream",
    "partner": "webhook",
}


def _query(text: str) -> str:
    text = text.strip()
    try:
        parse_query(text)
    except QueryError as exc:
        raise PydanticCustomError("invalid_query", "{problem}", {"problem": str(exc)}) from None
    return text


Query = Annotated[str, AfterValidator(_query)]
IssuerSlug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,78}[a-z0-9]$")]


class SubscriptionInput(StrictInput):
    """What a recipient wants. Empty lists mean "any"."""

    name: str = Field(default="Default", min_length=1, max_length=200)
    industries: list[IndustryCode] = Field(default_factory=list, max_length=50)
    regions: list[RegionCode] = Field(default_factory=list, max_length=100)
    languages: list[LanguageTag] = Field(default_factory=list, max_length=15)
    issuers: list[IssuerSlug] = Field(default_factory=list, max_length=100)
    query: Query | None = Field(default=None, max_length=2000)
    exclude_industries: list[IndustryCode] = Field(default_factory=list, max_length=50)
    exclude_regions: list[RegionCode] = Field(default_factory=list, max_length=100)
    exclude_issuers: list[IssuerSlug] = Field(default_factory=list, max_length=100)
    frequency: Frequency = "realtime"


class OutletInput(StrictInput):
    name: str = Field(min_length=1, max_length=200)
    type: OutletType = "online"
    country: CountryCode | None = None
    languages: list[LanguageTag] = Field(default_factory=list, max_length=15)
    website: HttpUrl | None = None


class RecipientInput(StrictInput):
    """A recipient with one endpoint and its subscriptions."""

    kind: RecipientKind = "journalist"
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr | None = None
    outlet: OutletInput | None = None
    languages: list[LanguageTag] = Field(default_factory=list, max_length=15)
    countries: list[CountryCode] = Field(default_factory=list, max_length=50)
    accredited: bool = False
    webhook_url: HttpUrl | None = None
    stream_client: str | None = Field(default=None, max_length=200)
    consent_source: str | None = Field(default=None, max_length=300)
    subscriptions: list[SubscriptionInput] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _has_its_endpoint(self) -> RecipientInput:
        channel = KIND_CHANNEL[self.kind]
        if channel == "email" and not self.email:
            raise PydanticCustomError(
                "email_required", "a {kind} needs an email", {"kind": self.kind}
            )
        if channel == "webhook" and not self.webhook_url:
            raise PydanticCustomError("webhook_required", "a partner site needs a webhook_url")
        if (
            self.webhook_url
            and self.webhook_url.scheme != "https"
            and self.webhook_url.host not in ("localhost", "127.0.0.1", "[::1]")
        ):
            raise PydanticCustomError("https_required", "webhook_url must use https")
        return self

    @property
    def channel(self) -> str:
        return KIND_CHANNEL[self.kind]

    @property
    def address(self) -> str:
        if self.channel == "email":
            return str(self.email).lower()
        if self.channel == "webhook":
            return str(self.webhook_url)
        return self.stream_client or self.name
