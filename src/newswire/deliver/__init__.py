"""The deliver stage: a durable outbox of one delivery per target, fan-out, workers, retries
and the distribution report's figures.

Design: docs/deliver.md."""
