"""Strawberry's GraphiQL page with every asset served from this app: intranets have no CDN."""

from __future__ import annotations

import re
from functools import lru_cache

from strawberry.http.ides import get_graphql_ide_html

ASSETS = {
    "react@18.2.0/umd/react.production.min.js": "react.production.min.js",
    "react-dom@18.2.0/umd/react-dom.production.min.js": "react-dom.production.min.js",
    "js-cookie@3.0.5/dist/js.cookie.min.js": "js.cookie.min.js",
    "graphiql@3.8.3/graphiql.min.css": "graphiql.min.css",
    "graphiql@3.8.3/graphiql.min.js": "graphiql.min.js",
    "@graphiql/plugin-explorer@1.0.2/dist/style.css": "plugin-explorer.css",
    "@graphiql/plugin-explorer@1.0.2/dist/index.umd.js": "plugin-explorer.umd.js",
}


@lru_cache
def offline_graphiql_html() -> str:
    html = get_graphql_ide_html("graphiql")
    for remote, local in ASSETS.items():
        html = html.replace(f"https://unpkg.com/{remote}", f"/static/graphiql/{local}")
    html = re.sub(r'\s+integrity="[^"]*"', "", html)
    html = re.sub(r"\s+crossorigin(?=[\s>])", "", html)
    if (
        "unpkg.com" in html
        or "https://" in re.sub(r"<!--.*?-->", "", html, flags=re.S).split("<script>")[0]
    ):
        raise RuntimeError("GraphiQL page still points at a CDN: update app/graphiql.py")
    return html.replace("Strawberry GraphiQL", "共青团 1+100 数据平台 · GraphiQL")
