"""Validate a submitted release (JSON or front matter) into `ReleaseContent`.

Every bad field is named.
Pydantic collects every error in one pass; each is reported as (field, rule, message).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from datetime import date as Date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from newswire import taxonomy
from newswire.domain.errors import FieldError, InvalidRelease
from newswire.domain.release import Attachment, Contact, Dateline, ReleaseContent
from newswire.intake.markdown import markdown_to_html, sanitize_html

MAX_BODY_CHARS = 100_000
CLOCK_SKEW = timedelta(minutes=1)
TICKER = re.compile(r"^[A-Z]{2,10}:[A-Z0-9][A-Z0-9.\-]{0,14}$")


def _industry(code: str) -> str:
    try:
        return taxonomy.get_industry(code).code
    except KeyError:
        raise PydanticCustomError(
            "unknown_industry", "unknown industry code '{code}'", {"code": code}
        ) from None


def _region(code: str) -> str:
    try:
        return taxonomy.normalize_region(code)
    except ValueError:
        raise PydanticCustomError(
            "unknown_region",
            "unknown region '{code}': use an ISO 3166-1 alpha-2 country or a group such as EU",
            {"code": code},
        ) from None


def _country(code: str) -> str:
    region = _region(code)
    if region in taxonomy.REGION_GROUPS:
        raise PydanticCustomError(
            "not_a_country", "'{code}' is a group of countries, not a country", {"code": code}
        )
    return region


def _language(tag: str) -> str:
    try:
        normalized = taxonomy.normalize_language(tag)
    except ValueError:
        raise PydanticCustomError(
            "invalid_language", "'{tag}' is not a BCP 47 language tag", {"tag": tag}
        ) from None
    if not taxonomy.is_wire_language(normalized):
        raise PydanticCustomError(
            "unsupported_language",
            "'{tag}' is not one of the wire's languages ({languages})",
            {"tag": tag, "languages": ", ".join(taxonomy.LANGUAGES)},
        )
    return normalized


def _ticker(value: str) -> str:
    ticker = value.strip().upper()
    if not TICKER.match(ticker):
        raise PydanticCustomError(
            "invalid_ticker",
            "'{value}' is not EXCHANGE:SYMBOL (e.g. NASDAQ:ACME)",
            {"value": value},
        )
    return ticker


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise PydanticCustomError(
            "timezone_required", "must include a timezone offset, e.g. 2026-12-01T09:00:00+01:00"
        )
    return value.astimezone(UTC)


# Field types shared with the other inputs (recipients, subscriptions).
IndustryCode = Annotated[str, AfterValidator(_industry)]
RegionCode = Annotated[str, AfterValidator(_region)]
CountryCode = Annotated[str, AfterValidator(_country)]
LanguageTag = Annotated[str, AfterValidator(_language)]
Ticker = Annotated[str, AfterValidator(_ticker)]
AwareDatetime = Annotated[datetime, AfterValidator(_aware)]
Keyword = Annotated[str, Field(min_length=1, max_length=60)]


# C0 control characters other than tab, line feed and carriage return. PostgreSQL cannot store
# NUL in text at all (SQLite can), and none of them belongs in a release or a recipient: refusing
# them here makes both stores accept and refuse the same input.
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def control_character_problem(value: Any) -> str | None:
    """What is wrong with `value` (a string, or a list of them) if it holds a control
    character; None when it holds none. Nested objects are checked by their own model."""
    if isinstance(value, str):
        found = _CONTROL_CHARACTER.search(value)
        if found:
            return (
                f"contains the control character U+{ord(found.group()):04X} at position "
                f"{found.start()}: only tab and line breaks are allowed"
            )
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            problem = control_character_problem(item) if isinstance(item, str) else None
            if problem:
                return f"item {index} {problem}"
    return None


def refuse_control_characters(fields: dict[str, Any]) -> None:
    """Raise InvalidRelease naming every field of `fields` that holds a control character
    (for text that reaches the store without a `StrictInput` model: edition post-edits)."""
    problems = [
        FieldError(name, "control_character", problem)
        for name, value in fields.items()
        if (problem := control_character_problem(value))
    ]
    if problems:
        raise InvalidRelease(problems)


class StrictInput(BaseModel):
    """The base of every submitted input (releases, recipients, subscriptions, import rows):
    unknown fields and control characters in any text are refused, naming the field."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        problem = control_character_problem(value)
        if problem:
            raise PydanticCustomError("control_character", problem)
        return value


class DatelineInput(StrictInput):
    city: str = Field(min_length=1, max_length=100)
    country: CountryCode
    date: Date | None = None


class ContactInput(StrictInput):
    name: str = Field(min_length=1, max_length=200)
    organization: str | None = Field(default=None, max_length=200)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=40, pattern=r"^\+?[0-9 ()./-]{5,40}$")
    role: str | None = Field(default=None, max_length=100)

    @model_validator(mode="after")
    def _reachable(self) -> ContactInput:
        if not (self.email or self.phone):
            raise PydanticCustomError("contact_unreachable", "a contact needs an email or a phone")
        return self


class AttachmentInput(StrictInput):
    url: HttpUrl
    alt: str = Field(min_length=1, max_length=500, description="Alt text, required for images")
    caption: str | None = Field(default=None, max_length=1000)
    media_type: Literal[
        "image/jpeg", "image/png", "image/gif", "image/webp", "image/svg+xml", "application/pdf"
    ] = "image/jpeg"
    width: int | None = Field(default=None, ge=1, le=20000)
    height: int | None = Field(default=None, ge=1, le=20000)


class ReleaseInput(StrictInput):
    """A release as an issuer submits it over the API (and in Markdown front matter)."""

    headline: str = Field(min_length=1, max_length=300)
    subheadline: str | None = Field(default=None, max_length=500)
    dateline: DatelineInput
    body: str = Field(min_length=1, max_length=MAX_BODY_CHARS)
    body_format: Literal["markdown", "html"] = "markdown"
    boilerplate: str | None = Field(default=None, max_length=5000)
    contacts: list[ContactInput] = Field(default_factory=list, max_length=10)
    attachments: list[AttachmentInput] = Field(default_factory=list, max_length=20)
    industries: list[IndustryCode] = Field(default_factory=list, max_length=10)
    regions: list[RegionCode] = Field(default_factory=list, max_length=30)
    language: LanguageTag
    keywords: list[Keyword] = Field(default_factory=list, max_length=20)
    tickers: list[Ticker] = Field(default_factory=list, max_length=10)
    target_languages: list[LanguageTag] = Field(default_factory=list, max_length=15)
    allow_machine_translation: bool = Field(
        default=True,
        description="Editions the QA gate finds clean go out without the desk's review",
    )
    publish_at: AwareDatetime | None = None
    embargo_until: AwareDatetime | None = None

    @model_validator(mode="after")
    def _one_release_time(self) -> ReleaseInput:
        if self.publish_at and self.embargo_until:
            raise PydanticCustomError(
                "publish_and_embargo",
                "give either publish_at (scheduled) or embargo_until (embargoed), not both",
            )
        return self


def field_errors(
    raw_errors: Sequence[Any], *, skip: int = 0, whole: str = "release"
) -> list[FieldError]:
    """Pydantic's error dicts as FieldErrors; `skip` drops leading loc parts (FastAPI's "body");
    an error about the object as a whole is reported against `whole`."""
    errors = []
    for error in raw_errors:
        field = ".".join(str(part) for part in error["loc"][skip:]) or whole
        message = str(error["msg"]).removeprefix("Value error, ")
        rule = error["type"]
        if rule == "extra_forbidden":
            rule, message = "unknown_field", f"'{field}' is not a release field"
        errors.append(FieldError(field, rule, message))
    return errors


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def validate_release(data: Any, *, now: datetime, allow_past: bool = False) -> ReleaseContent:
    """Turn submitted data into content, or raise InvalidRelease listing every bad field.

    `allow_past` is for corrections, whose publish or embargo time is already history."""
    if not isinstance(data, dict):
        raise InvalidRelease([FieldError("release", "object", "must be a JSON object")])
    try:
        release = ReleaseInput.model_validate(data)
    except ValidationError as exc:
        raise InvalidRelease(field_errors(exc.errors(include_url=False))) from None
    return content_from_input(release, now=now, allow_past=allow_past)


def content_from_input(
    release: ReleaseInput, *, now: datetime, allow_past: bool = False
) -> ReleaseContent:
    """The second half of validation, for input that already passed the schema (the API)."""
    problems = [
        FieldError(name, "in_past", f"{when.isoformat()} is in the past")
        for name, when in (
            ("publish_at", release.publish_at),
            ("embargo_until", release.embargo_until),
        )
        if when is not None and when < now - CLOCK_SKEW and not allow_past
    ]
    if problems:
        raise InvalidRelease(problems)
    return _content(release, now)


def _content(release: ReleaseInput, now: datetime) -> ReleaseContent:
    time = release.embargo_until or release.publish_at or now
    html = (
        sanitize_html(release.body)
        if release.body_format == "html"
        else markdown_to_html(release.body)
    )
    return ReleaseContent(
        headline=release.headline,
        subheadline=release.subheadline or None,
        body_markdown=release.body,
        body_format=release.body_format,
        body_html=html,
        dateline=Dateline(
            release.dateline.city, release.dateline.country, release.dateline.date or time.date()
        ),
        language=release.language,
        boilerplate=release.boilerplate or None,
        contacts=tuple(Contact(**c.model_dump()) for c in release.contacts),
        attachments=tuple(
            Attachment(**{**a.model_dump(), "url": str(a.url)}) for a in release.attachments
        ),
        industries=_unique(release.industries),
        regions=_unique(release.regions),
        keywords=_unique(release.keywords),
        tickers=_unique(release.tickers),
        target_languages=tuple(
            t for t in _unique(release.target_languages) if t != release.language
        ),
        publish_at=release.publish_at,
        embargo_until=release.embargo_until,
        allow_machine_translation=release.allow_machine_translation,
    )
