"""The publish stage: freeze an immutable version, append it to the stream log, render its
formats and feed pages.

Design: docs/publish.md."""
