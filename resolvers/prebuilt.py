"""A page's nodes as JSON built by PostgreSQL, in the page's own statement.

For `workLogs(first: 50) { nodes { id kind content occurredAt cadre { name } } }` the page
statement (the list's readable rows, its filters, its order and limit, and the look-ahead
edges' lateral rows: resolvers/lookahead.py) selects, beside each row's key, the node's JSON
as the answer would hold it. The rows PostgreSQL chooses are the ones it chooses for the
records path, by the same statement: only the columns differ. What the selection asks for is
read, once per document, in schema/prebuilt.py (`Shape`); this module writes it in SQL.

Each leaf is written exactly as graphql-core would serialize the value the node's type
holds (tests/work/test_prebuilt.py compares every compiled field of every listed type, on
rows made from the columns' types): a global id as `urlsafe_b64encode("Type:id")`, a time
as Python's `isoformat()` in UTC, an enum by its GraphQL name, text and numbers as they
are. An edge is null where the lateral row is absent (no key, or a row the caller may not
see on its own), as the `visible(Model)` loader answers it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from app.records import column_of
from resolvers.lookahead import LATERAL

_POSTGRESQL = postgresql.dialect()  # the names' quoting: the statement runs on no other

# How a leaf is written (Leaf.form).
# PLAIN: text, a whole number or a boolean, which json_build_object writes as JSON does.
ID, PLAIN, DATETIME, DATE, ENUM, TYPENAME = ("id", "plain", "datetime", "date", "enum", "typename")


@dataclass(frozen=True)
class Leaf:
    """A response key of a node and how its value is written: `attr` the model's column
    (none for `__typename`), `names` an enum's stored values with their GraphQL names,
    `type_name` the type of a global id or a `__typename`."""

    key: str
    form: str
    attr: str = ""
    names: tuple[tuple[str, str], ...] = ()
    type_name: str = ""


@dataclass(frozen=True)
class EdgeShape:
    """An object edge of the node (`field`, as resolvers/lookahead.py names its lateral, of
    rows of `model`), answered under `key` with its own leaves."""

    key: str
    field: str
    model: type
    leaves: tuple[Leaf, ...]


@dataclass(frozen=True)
class Shape:
    """What a connection's nodes select, when all of it can be written in SQL."""

    leaves: tuple[Leaf | EdgeShape, ...]


@lru_cache(maxsize=1024)
def node_json(shape: Shape, model: Any) -> sa.ColumnElement[str]:
    """The node's JSON as text: `model`'s columns (the page's table), each edge's from its
    lateral row, which the page statement joins under the name resolvers/lookahead.py gives
    it. Built once per shape: only the statement around it is made per request."""
    parts: list[Any] = []
    for item in shape.leaves:
        if isinstance(item, EdgeShape):
            lateral = _Lateral(item.field, item.model)
            value: Any = sa.case(
                (lateral.id.is_(None), sa.null()),
                else_=_object([(leaf.key, _leaf(leaf, lateral)) for leaf in item.leaves]),
            )
        else:
            value = _leaf(item, model)
        parts.append((item.key, value))
    return sa.cast(_object(parts), sa.Text)


class _Lateral:
    """An edge's lateral row in the page statement (resolvers/lookahead.py `join`), its
    columns by the model's attribute names, as the statement's text names them."""

    def __init__(self, field: str, model: type) -> None:
        # underscored: a model's column may be called `name` or `model`
        self._alias, self._model = LATERAL + field, model

    def __getattr__(self, attr: str) -> Any:
        return column_of(self._model, self._alias, attr, _POSTGRESQL)


def _object(parts: Sequence[tuple[str, Any]]) -> Any:
    args: list[Any] = []
    for key, value in parts:
        args += [_quoted(key), value]
    return sa.func.json_build_object(*args)


def _quoted(name: str) -> Any:
    """A constant of the document (a response key, a type or enum name: GraphQL names, which
    hold only letters, digits and underscores, and a global id's `Type:`), in the statement's
    text so that its plan and compiled form are kept per document."""
    if not name.rstrip(":").replace("_", "a").isalnum() or not name.isascii():
        raise ValueError(f"not a GraphQL name: {name!r}")
    return _constant(name)


def _constant(text: str) -> Any:
    """A string constant written into the statement (no quote or backslash in it)."""
    if "'" in text or "\\" in text:
        raise ValueError(f"not a constant for the statement's text: {text!r}")
    return sa.literal_column(f"'{text}'")


def _leaf(leaf: Leaf, entity: Any) -> Any:
    if leaf.form == TYPENAME:
        return _quoted(leaf.type_name)
    column = getattr(entity, leaf.attr)
    form = leaf.form
    if form == PLAIN:
        return column
    if form == ID:
        # urlsafe base64 of "Type:id" (schema/relay.py to_global_id); short enough that
        # PostgreSQL's encoder never breaks the line.
        text = _quoted(leaf.type_name + ":").op("||")(sa.cast(column, sa.Text))
        raw = sa.func.convert_to(text, _constant("UTF8"))
        return sa.func.translate(
            sa.func.encode(raw, _constant("base64")), _constant("+/"), _constant("-_")
        )
    if form == DATETIME:
        return _isoformat(column)
    if form == DATE:
        return sa.func.to_char(column, _constant("YYYY-MM-DD"))
    if form == ENUM:
        return sa.case(
            *((column == _constant(stored), _quoted(name)) for stored, name in leaf.names)
        )
    raise ValueError(f"unknown leaf form {form!r}")


def _isoformat(column: Any) -> Any:
    """`datetime.isoformat()` of the aware UTC value the driver reads: microseconds only
    when there are any, and the offset `+00:00`."""
    utc = column.op("AT TIME ZONE")(_constant("UTC"))
    micro = sa.cast(sa.extract("microseconds", utc), sa.BigInteger).op("%")(
        sa.literal_column("1000000")
    )
    seconds = sa.func.to_char(utc, _constant('YYYY-MM-DD"T"HH24:MI:SS'))
    fraction = sa.case((micro == 0, _constant("")), else_=sa.func.to_char(utc, _constant(".US")))
    # concat would turn a null time into "+00:00": || keeps it null
    return seconds.op("||")(fraction).op("||")(_constant("+00:00"))
