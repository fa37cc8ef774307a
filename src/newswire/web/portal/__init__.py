"""The issuer portal (`/portal`): compose with live preview, submit, the status timeline and the
distribution report. Design: docs/web.md."""
