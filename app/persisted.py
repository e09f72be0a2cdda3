"""Persisted queries: the automatic protocol (a client sends the sha256 of its document and
the text only when the server does not know it yet) and, for production, an allow-list of
the only documents the service executes. A known document is neither parsed nor validated
again (schema/documents.py keeps it by its text)."""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from pathlib import Path
from typing import Any

HASH_RE = re.compile(r"^[0-9a-f]{64}$")


class PersistedQueryError(Exception):
    def __init__(self, status: int, code: str, message: str, **extensions: object) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extensions = status, code, message, extensions


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def load_manifest(path: Path) -> dict[str, str]:
    """{hash: document} from a JSON file: Apollo's persisted-query manifest
    ({"operations": [{"id", "body"}, …]}) or a plain {hash: document} object. Every hash is
    checked against its document."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and isinstance(data.get("operations"), list):
        pairs = [(op["id"], op["body"]) for op in data["operations"]]
    elif isinstance(data, dict):
        pairs = list(data.items())
    else:
        raise ValueError(f"{path}: expected a JSON object")
    for key, body in pairs:
        if not isinstance(body, str) or sha256(body) != key:
            raise ValueError(f"{path}: {key} is not the sha256 of its document")
    return dict(pairs)


class PersistedQueries:
    def __init__(
        self, *, only: bool = False, allowed: dict[str, str] | None = None, maxsize: int = 2048
    ) -> None:
        if only and not allowed:
            raise RuntimeError(
                "PERSISTED_QUERIES_ONLY needs PERSISTED_QUERIES_FILE (the allow-list)"
            )
        self.only, self.allowed, self.maxsize = only, dict(allowed or {}), maxsize
        self.known: OrderedDict[str, str] = OrderedDict()

    def resolve(self, query: str | None, extensions: dict[str, Any] | None) -> str | None:
        """The document to execute for this request, or a refusal."""
        ext = (extensions or {}).get("persistedQuery")
        if ext is None:
            if self.only and query is not None and sha256(query) not in self.allowed:
                raise _not_allowed()
            return query
        digest = ext.get("sha256Hash") if isinstance(ext, dict) else None
        if not isinstance(digest, str) or not HASH_RE.match(digest) or ext.get("version") != 1:
            raise PersistedQueryError(
                400,
                "BAD_REQUEST",
                "persistedQuery 应为 {version: 1, sha256Hash: 64 位十六进制小写}",
                reason="INVALID_BODY",
            )
        if query is None:
            found = self.allowed.get(digest) or self._known(digest)
            if found is None:
                if self.only:
                    raise _not_allowed()
                raise PersistedQueryError(
                    200, "PERSISTED_QUERY_NOT_FOUND", "服务器尚无此查询，请连同完整查询重发"
                )
            return found
        if sha256(query) != digest:
            raise PersistedQueryError(
                400,
                "BAD_REQUEST",
                "查询文本与 sha256Hash 不符",
                reason="PERSISTED_QUERY_HASH_MISMATCH",
            )
        if self.only and digest not in self.allowed:
            raise _not_allowed()
        if digest not in self.allowed:
            self.known[digest] = query
            if len(self.known) > self.maxsize:
                self.known.popitem(last=False)
        return query

    def peek(self, extensions: object) -> str | None:
        """The document a hash-only request names, if known; no refusal, no change."""
        ext = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        digest = ext.get("sha256Hash") if isinstance(ext, dict) else None
        if not isinstance(digest, str):
            return None
        return self.allowed.get(digest) or self._known(digest)

    def _known(self, digest: str) -> str | None:
        if self.only:
            return None
        found = self.known.get(digest)
        if found is not None:
            self.known.move_to_end(digest)
        return found


def _not_allowed() -> PersistedQueryError:
    return PersistedQueryError(
        403,
        "PERSISTED_QUERY_NOT_ALLOWED",
        "此查询不在服务器的允许列表中（生产环境只执行登记过的查询）",
    )
