"""Which query operations write in their own session: one declaration, read by both places
that send a query somewhere.

A query field that writes through the request's session declares it:

    @strawberry.field(description="…", metadata=WRITES)

An operation that selects such a field (fragments included) then keeps a transaction (not
app/db.py's read-only AUTOCOMMIT session) and runs on the primary (not the replica,
app/replica.py). What a query writes on the side (a download link, an audit entry, a logged
read) goes through `ctx.independent()`, always the primary, and declares nothing. An
undeclared write meets the replica's refusal (SQLSTATE 25006): the operation is run again on
the primary and the omission is logged as an error (schema/extensions.py), a safety net only.
"""

from __future__ import annotations

from typing import Any

from graphql import DocumentNode, FieldNode, OperationDefinitionNode, OperationType
from strawberry.schema.name_converter import NameConverter

_KEY = "youthlink.writes"
WRITES: dict[str, Any] = {_KEY: True}


def writing_fields(root: type) -> frozenset[str]:
    """The GraphQL names of the root type's fields that declare they write."""
    names = NameConverter()  # the schema's (build_schema keeps strawberry's default)
    return frozenset(
        names.get_graphql_name(f)
        for f in root.__strawberry_definition__.fields  # type: ignore[attr-defined]
        if (f.metadata or {}).get(_KEY)
    )


def reads_only(document: DocumentNode, operation_name: object, writing: frozenset[str]) -> bool:
    """Whether the operation to run (by name, or the document's only one) is a query that
    selects no field of `writing`."""
    chosen = [
        d
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
        and (operation_name is None or (d.name is not None and d.name.value == operation_name))
    ]
    return (
        bool(chosen)
        and all(d.operation == OperationType.QUERY for d in chosen)
        and not any(_selects(d, writing) for d in document.definitions)  # fragments included
    )


def _selects(node: object, writing: frozenset[str]) -> bool:
    if isinstance(node, FieldNode) and node.name.value in writing:
        return True
    selection_set = getattr(node, "selection_set", None)
    return selection_set is not None and any(_selects(s, writing) for s in selection_set.selections)
