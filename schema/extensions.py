"""One transaction per operation, and errors with stable codes (unexpected ones masked)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from authz.errors import DomainError

log = logging.getLogger("youthlink.graphql")

# GraphQL-level failures (before any resolver ran) and the code each one gets.
_LIMIT_MARKERS = ("exceeds maximum operation depth", "aliases found", "more than", "tokens")


def _code_for_validation(message: str) -> str:
    if any(m in message for m in _LIMIT_MARKERS):
        return "QUERY_TOO_COMPLEX"
    if "introspection" in message.lower():
        return "FORBIDDEN"
    return "GRAPHQL_VALIDATION_FAILED"


class OperationExtension(SchemaExtension):
    async def on_operation(self) -> AsyncIterator[None]:  # type: ignore[override]
        yield
        ec = self.execution_context
        context = ec.context
        result = ec.result
        errors = list(getattr(result, "errors", None) or [])
        ctx = getattr(context, "ctx", None)
        if ctx is not None:
            commit = ec.operation_type == OperationType.MUTATION and not errors
            try:
                if commit:
                    await ctx.session.commit()
                else:
                    await ctx.session.rollback()
            except Exception as exc:  # a commit that fails is the operation failing
                await ctx.session.rollback()
                errors.append(GraphQLError("commit failed", original_error=exc))
                if result is not None:
                    result.data = None
        if result is not None and errors:
            request_id = getattr(ctx, "request_id", "")
            result.errors = [_present(e, request_id) for e in errors]

    def on_stream_result(self, result: object) -> Iterator[None]:  # type: ignore[override]
        """Each result of a subscription gets the same codes and masking."""
        errors = getattr(result, "errors", None)
        if errors:
            ctx = getattr(self.execution_context.context, "ctx", None)
            result.errors = [_present(e, getattr(ctx, "request_id", "")) for e in errors]  # type: ignore[attr-defined]
        yield


def _present(error: GraphQLError, request_id: str) -> GraphQLError:
    original = error.original_error
    if original is None and (error.extensions or {}).get("code"):
        return error  # presented already
    if isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error
    if isinstance(original, DomainError):
        ext = {"code": original.code, **{k: v for k, v in original.details.items()}}
        return GraphQLError(original.message, nodes=error.nodes, path=error.path, extensions=ext)
    if original is None:
        code = (error.extensions or {}).get("code") or _code_for_validation(error.message)
        prefix = "" if error.message.startswith("查询") else "查询无效："
        return GraphQLError(
            prefix + error.message, nodes=error.nodes, path=error.path, extensions={"code": code}
        )
    if error.path is None or _is_input_coercion(original):
        # Failed before any resolver ran: variables that do not coerce (an unknown enum …).
        return GraphQLError(
            f"输入有误：{error.message}",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "BAD_USER_INPUT"},
        )
    log.error("unexpected error (request %s)", request_id, exc_info=original)
    return GraphQLError(
        "服务器内部错误，请稍后再试",
        nodes=error.nodes,
        path=error.path,
        extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
    )


def _is_input_coercion(exc: Exception) -> bool:
    # Scalars that reject a value raise ValueError inside graphql-core's coercion.
    return isinstance(exc, ValueError) and "coerce" in str(exc).lower()
