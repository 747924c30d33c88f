"""The bottom floor: request handling every app shares (rate limits, pagination, API errors, request logs, the
content security policy, health checks, prepared statements). It imports no app of the project."""
