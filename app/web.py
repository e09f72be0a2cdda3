"""The front ends' static files: the console at /, the phone pages at /m/, libraries at /vendor/.

They live in web/ at the repo root (settings.web_dir; the app runs from the repo root, and the
Docker image copies web/ and names it with WEB_DIR), not in the Python package: plain files,
edited without a build step.
Both front ends route on the client (history mode), so a path that names no file gets the
front end's index.html; the API's own paths are never shadowed.
"""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

# First path segments that belong to the server, never to the console's client routes.
RESERVED = frozenset(
    {"graphql", "healthz", "readyz", "metrics", "static", "vendor", "console", "m", "files"}
)
# Vendored files carry their version in the path (web/vendor.py): cache them for a year.
IMMUTABLE = "public, max-age=31536000, immutable"
# The pages' own files change with each release: revalidate (ETag) on every use.
REVALIDATE = "no-cache"


class CachedStatic(StaticFiles):
    """StaticFiles with a Cache-Control header; with `spa`, a path that names no file (and
    has no file extension) answers the directory's index.html, for client-side routes."""

    def __init__(self, directory: Path, cache_control: str, spa: bool = False) -> None:
        super().__init__(directory=directory, html=spa, check_dir=False)
        self.cache_control, self.spa = cache_control, spa
        self.index = directory / "index.html"

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            response = await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code != 404 or not self.spa or "." in Path(path).name:
                raise
            response = FileResponse(self.index)
        response.headers.setdefault("cache-control", self.cache_control)
        return response


def web_routes(web: Path) -> list[BaseRoute]:
    """Mount after every API route: the last one catches the console's client routes."""
    index = web / "console" / "index.html"

    def console_index(request: Request) -> Response:
        """A client route of the console (`/`, `/orgs/42`, …) gets the console's page; a
        path under a server prefix, or naming a file, that reached here does not exist."""
        path = request.path_params.get("path", "")
        if path == "m":
            return RedirectResponse("/m/")
        if path.split("/", 1)[0] in RESERVED or "." in path.rsplit("/", 1)[-1]:
            return PlainTextResponse("Not Found", status_code=404)
        if not index.is_file():
            return PlainTextResponse(f"控制台文件缺失：{index}", status_code=404)
        return FileResponse(index, headers={"cache-control": REVALIDATE})

    return [
        Mount("/vendor", CachedStatic(web / "vendor", IMMUTABLE), name="vendor"),
        Mount("/console", CachedStatic(web / "console", REVALIDATE), name="console"),
        Mount("/m", CachedStatic(web / "m", REVALIDATE, spa=True), name="mobile"),
        Route("/", console_index, methods=["GET", "HEAD"]),
        Route("/{path:path}", console_index, methods=["GET", "HEAD"]),
    ]
