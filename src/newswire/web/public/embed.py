"""Syndication for partner sites: an HTML snippet of a published release, with the wire's
attribution before the body, the disclaimer after it, in the release's language, with the
canonical link; and a small script that puts it into a page:

    <div data-newswire-release="RELEASE_ID"></div>
    <script src="https://wire.example/embed.js" async></script>
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup, escape

from newswire.domain.errors import NotFound
from newswire.store import public
from newswire.web.deps import DB, Config
from newswire.web.public import readership

router = APIRouter(include_in_schema=False)
CORS = {"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=60"}

SCRIPT = """(function () {
  var base = %(base)s;
  var nodes = document.querySelectorAll("[data-newswire-release]");
  Array.prototype.forEach.call(nodes, function (node) {
    var id = node.getAttribute("data-newswire-release");
    if (!/^[A-Za-z0-9_-]+$/.test(id)) { return; }
    fetch(base + "/embed/" + id, { mode: "cors" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
      .then(function (html) { node.innerHTML = html; })
      .catch(function () { node.textContent = ""; });
  });
})();
"""


@router.get("/embed.js")
def embed_script(settings: Config) -> Response:
    body = SCRIPT % {"base": json.dumps(settings.base_url)}
    return Response(body, media_type="text/javascript; charset=utf-8", headers=CORS)


@router.get("/embed/{release_id}", response_class=HTMLResponse)
def embed_snippet(release_id: str, request: Request, db: DB, settings: Config) -> HTMLResponse:
    """The latest version's article, as frozen at publication, and its canonical link."""
    with db.session() as s:
        versions = public.public_versions(s, release_id)
    if not versions:
        raise NotFound(f"no published release '{release_id}'")
    latest = versions[-1]
    canonical = f"{settings.base_url}/releases/{release_id}"
    snippet = Markup(
        '<div class="newswire-embed">{article}<p class="newswire-source">'
        '<a href="{url}" rel="canonical">{url}</a></p></div>'
    ).format(article=Markup(latest.article_html), url=escape(canonical))
    response = HTMLResponse(snippet, headers={**CORS, "Link": f'<{canonical}>; rel="canonical"'})
    return readership.counted(response, request, release_id, latest.content["language"], "embed")
