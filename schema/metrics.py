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

# Scheduled jobs (app/jobs.py), read from procrastinate's tables when /metrics is scraped:
# every instance reports the same figures, whichever worker ran the job.
JOB_LAST_RUN = Gauge(
    "youthlink_job_last_run_timestamp_seconds", "End of the job's last run (0: never)", ["job"]
)
JOB_LAST_SUCCEEDED = Gauge(
    "youthlink_job_last_run_succeeded", "1 if the job's last run succeeded, 0 if it failed", ["job"]
)
JOB_NEXT_RUN = Gauge(
    "youthlink_job_next_run_timestamp_seconds", "The job's next tick by its schedule", ["job"]
)
JOB_FAILURES = Gauge(
    "youthlink_job_failures_last_week", "The job's failed runs, last 7 days", ["job"]
)
JOB_WAITING = Gauge("youthlink_job_waiting", "The job's runs queued and not started", ["job"])
# The event loop's scheduling delay (app/looplag.py): how late a timer fires.
LOOP_LAG = Histogram(
    "youthlink_event_loop_lag_seconds",
    "How late the event loop ran a task scheduled to run now (sampled)",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
