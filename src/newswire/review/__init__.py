"""The review stage: automated checks of a submitted release and the editor's decision.

Design: docs/review.md."""
