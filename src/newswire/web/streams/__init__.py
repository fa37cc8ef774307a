"""Streams for terminals over HTTP: server-sent events and WebSocket, filtered, replayed from the
Last-Event-ID, and the stream gateway process of the scale-out mode. Design: docs/streams.md."""
