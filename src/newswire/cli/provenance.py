"""`newswire keys ...` and `newswire verify ...`: the wire's signing keys, and checking any
document, page or URL against the wire that signed it.

    newswire keys list [--json]            the key ring: ids, validity, which one signs
    newswire keys rotate                   a new signing key; the old one keeps verifying
    newswire verify FILE|URL|- [--keys URL] [--signature URL] [--log] [--json]

`verify` prints who published what and when, or exactly why not; its exit status says which:
0 verified, 1 genuine but superseded by a correction, 3 genuine but retracted, 4 changed after
signing, 5 bad signature or unknown key, 6 the transparency log does not prove it (with `--log`:
the inclusion proof, the latest tree head's consistency with the one that includes it and with
the last one this reader verified, remembered in `--log-state`), 7 something could not be
fetched, 8 not signed; 2 is a usage error (a missing file, a bad URL).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from newswire.cli.app import DataDir, app, fail
from newswire.config import load_settings
from newswire.provenance.checker import FetchFailed, check
from newswire.provenance.keys import KeyRingError, key_ring

keys_app = typer.Typer(help="The wire's signing keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
MAX_FETCH_BYTES = 10_000_000


@keys_app.command("list")
def keys_list(
    data: DataDir = None, as_json: Annotated[bool, typer.Option("--json")] = False
) -> None:
    """The key ring, oldest first: which key signs now, and each key's validity."""
    try:
        jwks = key_ring(load_settings(data).data_dir).jwks()
    except KeyRingError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps(jwks, indent=2))
        return
    for key in jwks["keys"]:
        until = key.get("valid_until", "")
        typer.echo(f"{key['kid']}  {key['status']:<8}  from {key['valid_from']}  {until}".rstrip())


@keys_app.command("rotate")
def keys_rotate(data: DataDir = None) -> None:
    """Add a new signing key; the active one is retired (it keeps verifying what it signed)."""
    try:
        fresh = key_ring(load_settings(data).data_dir).rotate()
    except KeyRingError as exc:
        fail(str(exc))
    typer.echo(f"signing with {fresh.kid} from {fresh.valid_from.isoformat()}")


def _fetch(url: str) -> bytes:
    try:
        with httpx.stream("GET", url, timeout=10.0, follow_redirects=True) as response:
            if response.status_code != 200:
                raise FetchFailed(f"{url} answered {response.status_code}")
            body = b""
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_FETCH_BYTES:
                    raise FetchFailed(f"{url} is larger than {MAX_FETCH_BYTES} bytes")
            return body
    except httpx.HTTPError as exc:
        raise FetchFailed(f"cannot fetch {url}: {exc}") from exc


def default_log_state() -> Path:
    """``$XDG_STATE_HOME/newswire/tree-heads.json`` (``~/.local/state/...``): the last tree head
    of each wire this reader verified, so that the next check proves the log only grew."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "newswire" / "tree-heads.json"


def _remembered(state: Path) -> dict[str, Any]:
    try:
        found = json.loads(state.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        fail(f"cannot read the remembered tree heads in {state}: {exc}")
    return found if isinstance(found, dict) else {}


def _remember(state: Path, heads: dict[str, Any]) -> None:
    try:
        state.parent.mkdir(parents=True, exist_ok=True)
        state.write_text(json.dumps(heads, indent=2))
    except OSError as exc:
        typer.echo(f"note: cannot remember the tree head in {state}: {exc.strerror}", err=True)


@app.command("verify")
def verify(
    source: Annotated[str, typer.Argument(help="A ninjs or NewsML-G2 file, a page, a URL or -")],
    keys: Annotated[
        str | None, typer.Option("--keys", help="The JWK Set of the wire you trust")
    ] = None,
    signature: Annotated[
        str | None, typer.Option("--signature", help="The signature's URL, if the file lacks it")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the verdict as JSON")] = False,
    log: Annotated[
        bool, typer.Option("--log", help="Also check the wire's transparency log's proofs")
    ] = False,
    log_state: Annotated[
        Path | None,
        typer.Option("--log-state", help="Where to remember the last tree head verified"),
    ] = None,
) -> None:
    """Check a release against the wire's published keys: who published what, and when."""
    origin: str | None = None
    if source.startswith(("http://", "https://")):
        origin = source
        try:
            document = _fetch(source)
        except FetchFailed as exc:
            typer.echo(f"unreachable: {exc}", err=True)
            raise typer.Exit(7) from None
    elif source == "-":
        document = sys.stdin.buffer.read()
    else:
        try:
            document = Path(source).read_bytes()
        except OSError as exc:
            fail(f"cannot read {source}: {exc.strerror}")
    state = log_state or default_log_state()
    remembered = _remembered(state) if log else {}
    verdict = check(
        document,
        _fetch,
        origin=origin,
        keys_url=keys,
        signature=signature,
        log=log,
        remembered=remembered,
    )
    head = verdict.details.get("tree_head")
    if log and head:
        _remember(state, {**remembered, str(head.get("wire")): head})
    if as_json:
        typer.echo(json.dumps(verdict.to_json(), indent=2, ensure_ascii=False))
    else:
        word = verdict.outcome.name.lower()
        said = verdict.message
        typer.echo(said if said.startswith(word + ":") else f"{word}: {said}")
        for difference in verdict.details.get("differences", []):
            typer.echo(
                f"  - {difference['op']}: {difference['signed']!r} -> {difference['found']!r}"
            )
    raise typer.Exit(int(verdict.outcome))
