"""Parse and validate a document once: later requests with the same text (or the same
persisted-query hash) reuse the parsed document and its validation result."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field

from graphql import DocumentNode, GraphQLError
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension

from schema.writes import reads_only


@dataclass
class Prepared:
    document: DocumentNode
    writing: frozenset[str] = frozenset()  # the query fields that declare they write
    errors: tuple[GraphQLError, ...] | None = None  # None: not validated yet
    # only_queries by operation name: asked on every request, the walk done once.
    _only: dict[str | None, bool] = field(default_factory=dict, repr=False, compare=False)

    def only_queries(self, operation_name: object) -> bool:
        """Whether the operation to run is a query that writes nothing (schema/writes.py):
        it may run without a transaction."""
        if operation_name is not None and not isinstance(operation_name, str):
            return reads_only(self.document, operation_name, self.writing)
        known = self._only.get(operation_name)
        if known is None:
            known = reads_only(self.document, operation_name, self.writing)
            if len(self._only) < 16:  # names are the client's: a few kept
                self._only[operation_name] = known
        return known


class DocumentStore:
    """Parsed documents by text, least recently used out first. Keyed by the text itself, so
    a lookup costs one hash of the string (a graphql-core document hashes its whole tree)."""

    def __init__(self, writing: frozenset[str] = frozenset(), maxsize: int = 512) -> None:
        self.writing = writing
        self.maxsize = maxsize
        self.entries: OrderedDict[str, Prepared] = OrderedDict()

    def get(self, text: str) -> Prepared | None:
        found = self.entries.get(text)
        if found is not None:
            self.entries.move_to_end(text)
        return found

    def put(self, text: str, document: DocumentNode) -> Prepared:
        prepared = self.entries[text] = Prepared(document, self.writing)
        if len(self.entries) > self.maxsize:
            self.entries.popitem(last=False)
        return prepared


def documents_extension(
    store: DocumentStore, max_tokens: int, rules: list[type[ASTValidationRule]]
) -> type[SchemaExtension]:
    """The schema's one extension for the document: token limit and extra rules on the first
    sight of a text; afterwards neither parse nor validation runs again."""

    class Documents(SchemaExtension):
        prepared: Prepared | None = None

        def on_operation(self) -> Iterator[None]:
            ec = self.execution_context
            ec.parse_options["max_tokens"] = max_tokens
            ec.validation_rules = (*ec.validation_rules, *rules)
            yield

        def on_parse(self) -> Iterator[None]:
            ec = self.execution_context
            text = ec.query
            if ec.graphql_document is None and text:
                self.prepared = store.get(text)
                if self.prepared is not None:
                    ec.graphql_document = self.prepared.document
            yield
            if self.prepared is None and text and ec.graphql_document is not None:
                self.prepared = store.put(text, ec.graphql_document)

        def on_validate(self) -> Iterator[None]:
            ec = self.execution_context
            prepared = self.prepared
            if prepared is not None and prepared.errors is not None:
                ec.pre_execution_errors = list(prepared.errors)
            yield
            if prepared is not None and prepared.errors is None:
                prepared.errors = tuple(ec.pre_execution_errors or ())

    return Documents
