"""Validate what the wire emits against the IPTC standards, offline.

Import from any test (``tests/`` is on sys.path through pytest's rootdir insertion, since the test
folders have no ``__init__.py``)::

    from standards import validate_newsml, validate_ninjs

Both read the schemas under ``shared/data/standards`` (the folder beside the repository root) and
skip the calling test when it is absent. Nothing is ever fetched over the network: the ninjs
schema's GeoJSON ``$ref`` resolves to the local copy through a `referencing` registry that has
no retrieve hook, and the XSD is parsed with ``no_network=True`` and a resolver that serves the
only imported schema (``xml.xsd``) from disk and refuses everything else.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
STANDARDS = SHARED / "data" / "standards"
NINJS_DIR = STANDARDS / "ninjs"
NEWSML_DIR = STANDARDS / "newsml-g2"
NINJS_SCHEMA = NINJS_DIR / "ninjs-schema_2.2.json"
GEOJSON_SCHEMA = NINJS_DIR / "GeoJSON-schema.json"
NEWSML_XSD = NEWSML_DIR / "NewsML-G2_2.35-spec-All-Power.xsd"


def _need(path: Path) -> None:
    if not path.is_file():
        pytest.skip(f"standards data not found at {path} (the shared/ folder beside the repo)")


@functools.cache
def ninjs_validator():
    """A Draft 2020-12 validator for ninjs 2.2 with format checking, resolving $refs locally."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    _need(NINJS_SCHEMA)
    _need(GEOJSON_SCHEMA)
    schema = json.loads(NINJS_SCHEMA.read_text(encoding="utf-8"))
    geojson = json.loads(GEOJSON_SCHEMA.read_text(encoding="utf-8"))
    registry = Registry().with_resources(
        [
            ("https://geojson.org/schema/GeoJSON.json", Resource.from_contents(geojson)),
            (schema["$id"].rstrip("#"), Resource.from_contents(schema)),
        ]
    )
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(
        schema,
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def validate_ninjs(doc: dict[str, Any]) -> None:
    """Fail the test with every schema error of a ninjs 2.2 document."""
    errors = sorted(ninjs_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors]
        pytest.fail("ninjs 2.2 validation failed:\n" + "\n".join(lines))


@functools.cache
def newsml_schema():
    from lxml import etree

    _need(NEWSML_XSD)

    class LocalOnly(etree.Resolver):
        """Serve every schema document from NEWSML_DIR by file name (the import of
        xml.xsd included, whatever its location says); refuse anything else."""

        def resolve(self, url, pubid, context):
            local = NEWSML_DIR / (url or "").rsplit("/", 1)[-1]
            if local.is_file():
                return self.resolve_filename(str(local), context)
            raise OSError(f"refusing to fetch {url!r} while loading the NewsML-G2 schema")

    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    parser.resolvers.add(LocalOnly())
    doc = etree.parse(str(NEWSML_XSD), parser)
    return etree.XMLSchema(doc)


def validate_newsml(xml: bytes):
    """Parse (offline) and validate a NewsML-G2 2.35 item; return the parsed root element."""
    from lxml import etree

    schema = newsml_schema()
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    root = etree.fromstring(xml, parser)
    if not schema.validate(root):
        lines = [f"line {e.line}: {e.message}" for e in schema.error_log]
        pytest.fail("NewsML-G2 2.35 validation failed:\n" + "\n".join(lines))
    return root


# --- feeds: the W3C Feed Validation Service's code, and a JSON Schema of JSON Feed 1.1 ---------

FEEDVALIDATOR_DIR = SHARED / "tools" / "feedvalidator"
JSONFEED_SCHEMA = Path(__file__).resolve().parent / "proof" / "jsonfeed-1.1.schema.json"


def _need_tool(path: Path, what: str) -> None:
    """Skip when a shared tool is absent; under CI=true that is a failure instead."""
    if path.exists():
        return
    problem = f"{what} not found at {path} (the shared/ folder beside the repo)"
    if os.environ.get("CI") == "true":
        pytest.fail(problem + " (CI=true: it is required)")
    pytest.skip(problem)


@functools.cache
def _feedvalidator():
    """The validator's package from shared/tools/feedvalidator (see its SOURCES.md). Importing
    it sets the process-wide default socket timeout; the previous one is put back."""
    import socket
    import sys

    _need_tool(FEEDVALIDATOR_DIR / "feedvalidator", "the W3C feed validator")
    pytest.importorskip("html5lib", reason="the feed validator needs html5lib (the test extra)")
    if str(FEEDVALIDATOR_DIR) not in sys.path:
        sys.path.insert(0, str(FEEDVALIDATOR_DIR))
    timeout = socket.getdefaulttimeout()
    try:
        import feedvalidator
        from feedvalidator import compatibility
        from feedvalidator.formatter.text_plain import Formatter
    finally:
        socket.setdefaulttimeout(timeout)
    return feedvalidator, compatibility, Formatter


def feed_findings(data: bytes, url: str) -> tuple[str, list[str], list[str]]:
    """Run an RSS or Atom document through the W3C feed validator, offline (validateString
    fetches nothing). Returns the feed type it saw, the errors and the warnings, each as the
    validator words it ("line 1, column 2: ...")."""
    feedvalidator, compatibility, formatter = _feedvalidator()
    result = feedvalidator.validateString(data, firstOccurrenceOnly=0, base=url)
    events = compatibility.AA(result["loggedEvents"])
    words = formatter(events)
    errors = [words.format(e) for e in events if isinstance(e, feedvalidator.logging.Error)]
    warnings = [words.format(e) for e in events if isinstance(e, feedvalidator.logging.Warning)]
    log = feedvalidator.logging
    kinds = {log.TYPE_RSS1: "rss1", log.TYPE_RSS2: "rss2", log.TYPE_ATOM: "atom"}
    return kinds.get(result.get("feedType"), "unknown"), errors, warnings


@functools.cache
def jsonfeed_validator():
    """A Draft 2020-12 validator, with format checking, for JSON Feed 1.1 (the schema beside
    the proof suites, written from https://www.jsonfeed.org/version/1.1/)."""
    from jsonschema import Draft202012Validator

    schema = json.loads(JSONFEED_SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def jsonfeed_errors(doc: Any) -> list[str]:
    """Every way a document breaks JSON Feed 1.1, one line each ([] when it is valid)."""
    errors = sorted(jsonfeed_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors]
