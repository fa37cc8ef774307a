"""The web: the HTTP API and the pages, thin, one package per area and surface.

Design: docs/web.md."""
