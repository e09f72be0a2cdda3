"""Prometheus metrics: requests, latency, error codes, the database pool."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "youthlink_http_requests_total", "HTTP requests", ["method", "path", "status"]
)
HTTP_SECONDS = Histogram(
    "youthlink_http_request_seconds",
    "HTTP request latency",
    ["path"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
GRAPHQL_ERRORS = Counter("youthlink_graphql_errors_total", "GraphQL errors by code", ["code"])
WRITE_RETRIES = Counter(
    "youthlink_write_retries_total",
    "Operations run again after a deadlock or serialization failure rolled them back",
)
POOL_CHECKED_OUT = Gauge("youthlink_db_pool_checked_out", "Database connections in use")
POOL_SIZE = Gauge("youthlink_db_pool_size", "Database pool size")
