"""The editorial desk's pages (`/desk`, editors and admins): the review queue, a release with its
checks and history, decisions, corrections, editions to post-edit. Design: docs/web.md."""
