"""schemathesis hooks: our expected failures are GraphQL errors with codes (NOT_FOUND,
BAD_USER_INPUT …); what must never happen is a 5xx, an INTERNAL_SERVER_ERROR, or a trace."""

from __future__ import annotations

import schemathesis


@schemathesis.check
def no_internal_error(ctx, response, case) -> None:  # type: ignore[no-untyped-def]
    if response.status_code >= 500 and response.status_code != 503:
        raise AssertionError(f"HTTP {response.status_code}")
    text = response.text
    if '"code":"INTERNAL_SERVER_ERROR"' in text.replace(" ", "") or 'File "/' in text:
        raise AssertionError(f"internal error: {text[:300]}")
