"""`newswire translate ...`: the QA gate (and a translation) from the command line.

    newswire translate qa --from en --to de SOURCE.md TARGET.md
    newswire translate qa - < pairs.jsonl   # lines {"from", "to", "source", "target"}
    newswire translate text --from en --to pt RELEASE.md [--glossary terms.json]
    newswire translate install en de [--engine fxtranslate|argos] [--from URL|FILE] [--sha256 HEX]
    newswire translate install --all [--engine ...]
    newswire translate list [--json]
    newswire translate remove en de [--engine ...]

`qa` prints one JSON document: {"pairs": [{"index", "from", "to", "flagged", "flags":
[{"kind", "segment", "source", "target", "reason"}]}]}, and exits 0 whether or not anything
was flagged. Bad input (a missing file, text that is not UTF-8, a bad JSON line, an unknown
language; for the model commands an index that answers garbage, a hash mismatch, a corrupt
package) is a one-line message on standard error and exit status 2. Models go into the data
folder (`--data`, else $NEWSWIRE_DATA, else ./var); `newswire.translate.models` does the work.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from newswire.config import load_settings
from newswire.intake.language import WIRE_LANGUAGES
from newswire.translate.base import canonical_tag, is_known_language
from newswire.translate.engines import EngineRegistry

translate_app = typer.Typer(
    help="Machine translation of editions and the QA gate for translations.",
    no_args_is_help=True,
)


DataOption = Annotated[
    Path | None, typer.Option("--data", help="Data folder (default: $NEWSWIRE_DATA or ./var)")
]


def _registry(data: Path | None) -> EngineRegistry:
    """The engines of the data folder: its translation.json and installed models."""
    try:
        return EngineRegistry.for_data_dir(load_settings(data).data_dir)
    except ValueError as exc:
        _fail(str(exc))


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _language(tag: str | None, what: str) -> str:
    if not tag:
        _fail(f"{what} language is required (--{what})")
    if not is_known_language(tag):
        _fail(f"unknown {what} language {tag!r}")
    return canonical_tag(tag)


def _read_text(path: str) -> str:
    file = Path(path)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        _fail(f"{path}: no such file")
    except IsADirectoryError:
        _fail(f"{path}: is a folder, not a file")
    except OSError as exc:
        _fail(f"{path}: cannot read it: {exc.strerror or exc}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        _fail(f"{path}: not UTF-8 text (byte {exc.start})")


def _read_pairs(default_from: str | None, default_to: str | None) -> list[dict[str, str]]:
    try:
        raw = sys.stdin.buffer.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        _fail(f"standard input: not UTF-8 text (byte {exc.start})")
    pairs: list[dict[str, str]] = []
    for number, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj: Any = json.loads(line)
        except json.JSONDecodeError as exc:
            _fail(f"line {number}: not JSON: {exc.msg} (column {exc.colno})")
        if not isinstance(obj, dict):
            _fail(f"line {number}: expected a JSON object with from, to, source, target")
        for key in ("source", "target"):
            if not isinstance(obj.get(key), str):
                _fail(f"line {number}: {key!r} must be a string")
        src = obj.get("from", default_from)
        tgt = obj.get("to", default_to)
        if not isinstance(src, str) or not src:
            _fail(f"line {number}: 'from' is missing (give it on the line or with --from)")
        if not isinstance(tgt, str) or not tgt:
            _fail(f"line {number}: 'to' is missing (give it on the line or with --to)")
        for tag, what in ((src, "from"), (tgt, "to")):
            if not is_known_language(tag):
                _fail(f"line {number}: unknown {what} language {tag!r}")
        pairs.append(
            {
                "from": canonical_tag(src),
                "to": canonical_tag(tgt),
                "source": obj["source"],
                "target": obj["target"],
            }
        )
    if not pairs:
        _fail("standard input has no pairs (one JSON object per line)")
    return pairs


def _glossary(path: str | None) -> Any:
    if path is None:
        return None
    from newswire.translate.glossary import Glossary

    try:
        data = json.loads(_read_text(path))
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object {term: null | {lang: translation}}")
        return Glossary.from_mapping(data)
    except (ValueError, TypeError) as exc:
        _fail(f"{path}: not a glossary: {exc}")


@translate_app.callback()
def _main() -> None:
    """Machine translation of editions and the QA gate for translations."""


@translate_app.command("qa")
def qa_command(
    source: Annotated[str, typer.Argument(help="Source text file, or - for JSON lines on stdin")],
    target: Annotated[str | None, typer.Argument(help="Translated text file")] = None,
    src: Annotated[str | None, typer.Option("--from", help="Source language (BCP 47)")] = None,
    tgt: Annotated[str | None, typer.Option("--to", help="Target language (BCP 47)")] = None,
    glossary: Annotated[
        str | None, typer.Option("--glossary", help="JSON file: {term: null | {lang: form}}")
    ] = None,
) -> None:
    """Run the QA gate on a translation and print its flags as JSON."""
    from newswire.translate.qa import check_pair

    terms = _glossary(glossary)
    if source == "-":
        if target is not None:
            _fail("with - (JSON lines on standard input) give no TARGET file")
        for tag, what in ((src, "from"), (tgt, "to")):
            if tag is not None and not is_known_language(tag):
                _fail(f"unknown {what} language {tag!r}")
        pairs = _read_pairs(src, tgt)
    else:
        if target is None:
            _fail("give a SOURCE and a TARGET file (or - to read JSON lines)")
        src_tag, tgt_tag = _language(src, "from"), _language(tgt, "to")
        pairs = [
            {
                "from": src_tag,
                "to": tgt_tag,
                "source": _read_text(source),
                "target": _read_text(target),
            }
        ]
    out = []
    for index, pair in enumerate(pairs):
        flags = check_pair(pair["source"], pair["target"], pair["from"], pair["to"], glossary=terms)
        out.append(
            {
                "index": index,
                "from": pair["from"],
                "to": pair["to"],
                "flagged": bool(flags),
                "flags": [f.as_dict() for f in flags],
            }
        )
    typer.echo(json.dumps({"pairs": out}, ensure_ascii=False, indent=2))


@translate_app.command("text")
def text_command(
    file: Annotated[str, typer.Argument(help="Markdown file to translate")],
    src: Annotated[str | None, typer.Option("--from", help="Source language")] = None,
    tgt: Annotated[str | None, typer.Option("--to", help="Target language")] = None,
    glossary: Annotated[
        str | None, typer.Option("--glossary", help="JSON file: {term: null | {lang: form}}")
    ] = None,
    data: DataOption = None,
) -> None:
    """Translate a Markdown file with the wire's engines; print the result and its flags."""
    from newswire.translate.base import TranslationError
    from newswire.translate.pipeline import translate_document

    src_tag, tgt_tag = _language(src, "from"), _language(tgt, "to")
    if src_tag == tgt_tag:
        _fail("--from and --to are the same language")
    text = _read_text(file)
    terms = _glossary(glossary)
    engine = _registry(data).route(src_tag, tgt_tag).engine
    if engine is None:
        _fail(_registry(data).route(src_tag, tgt_tag).reason)
    try:
        result = translate_document(text, src_tag, tgt_tag, engine=engine, glossary=terms)
    except TranslationError as exc:
        _fail(str(exc))
    typer.echo(
        json.dumps(
            {
                "engine": result.engine,
                "text": result.text,
                "flags": [f.as_dict() for f in result.flags],
                "segments": [s._asdict() for s in result.segments],
            },
            ensure_ascii=False,
            indent=2,
        )
    )


_WAY_WORDS = {
    "machine": "machine translation",
    "pivot": "machine translation via English",
    "draft": "machine draft, post-edited by the desk",
    "translator": "a translator translates it",
}


@translate_app.command("engines")
def engines_command(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document")] = False,
    src: Annotated[str | None, typer.Option("--from", help="Only pairs from this language")] = None,
    tgt: Annotated[str | None, typer.Option("--to", help="Only pairs into this language")] = None,
    data: DataOption = None,
) -> None:
    """For every ordered pair of the wire's languages: the engine or chain that translates it
    now, or why none can and how to get one."""
    sources = [_language(src, "from")] if src else list(WIRE_LANGUAGES)
    targets = [_language(tgt, "to")] if tgt else list(WIRE_LANGUAGES)
    registry = _registry(data)
    routes = [registry.route(s, t) for s in sources for t in targets if s != t]
    covered = sum(1 for r in routes if r.kind != "none")
    if as_json:
        typer.echo(
            json.dumps(
                {"pairs": [r.as_dict() for r in routes], "covered": covered, "total": len(routes)},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    typer.echo(f"{covered} of {len(routes)} language pairs have an engine here.")
    for route in routes:
        way = route.way()
        detail = route.chain or f"to get an engine: {route.remedy}"
        typer.echo(f"{route.src:>7} → {route.tgt:<7}  {_WAY_WORDS[way.kind]:<40}  {detail}")


Engine = Annotated[
    str | None, typer.Option("--engine", help="fxtranslate (Firefox Translations) or argos")
]


def _data_dir(data: Path | None) -> Path:
    return load_settings(data).data_dir


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"


@translate_app.command("install")
def install_command(
    src: Annotated[str | None, typer.Argument(help="Source language")] = None,
    tgt: Annotated[str | None, typer.Argument(help="Target language")] = None,
    engine: Engine = None,
    sources: Annotated[
        list[str] | None,
        typer.Option("--from", help="A URL or file to install instead of the index (repeatable)"),
    ] = None,
    sha256: Annotated[str | None, typer.Option("--sha256", help="Expected SHA-256")] = None,
    all_pairs: Annotated[bool, typer.Option("--all", help="Every pair the index has")] = False,
    data: DataOption = None,
) -> None:
    """Install the model of a direction (or --all) into the data folder."""
    from newswire.translate.models import ModelInstallError, install, install_all

    data_dir = _data_dir(data)
    try:
        if all_pairs:
            if src or tgt or sources or sha256:
                _fail("--all takes no languages, --from or --sha256")
            done, failed = install_all(data_dir, engine=engine or "fxtranslate")
            for model in done:
                typer.echo(f"installed {model.engine} {model.src}-{model.tgt} {model.version}")
            for message in failed:
                typer.echo(f"error: {message}", err=True)
            if failed:
                raise typer.Exit(2)
            return
        if not src or not tgt:
            _fail("give the SOURCE and TARGET languages (or --all)")
        model = install(
            data_dir, src, tgt, engine=engine or "fxtranslate", sources=sources or (), sha256=sha256
        )
    except ModelInstallError as exc:
        _fail(exc.message)
    typer.echo(
        f"installed {model.engine} {model.src}-{model.tgt} {model.version} "
        f"({_size(model.size_bytes)}) in {model.path}"
    )


@translate_app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    data: DataOption = None,
) -> None:
    """List the models installed in the data folder."""
    from newswire.translate.models import list_installed

    models = list_installed(_data_dir(data))
    if as_json:
        typer.echo(json.dumps({"models": [m.as_dict() for m in models]}, indent=2))
        return
    if not models:
        typer.echo("no models installed (newswire translate install SRC TGT)")
    for m in models:
        pair = f"{m.src}-{m.tgt}"
        typer.echo(f"{m.engine:<12} {pair:<14} {m.version:<20} {_size(m.size_bytes):>9}  {m.path}")


@translate_app.command("remove")
def remove_command(
    src: Annotated[str, typer.Argument(help="Source language")],
    tgt: Annotated[str, typer.Argument(help="Target language")],
    engine: Engine = None,
    data: DataOption = None,
) -> None:
    """Remove the installed models of a direction."""
    from newswire.translate.models import ModelInstallError, remove

    try:
        removed = remove(_data_dir(data), src, tgt, engine)
    except ModelInstallError as exc:
        _fail(exc.message)
    for m in removed:
        typer.echo(f"removed {m.engine} {m.src}-{m.tgt} {m.version}")
