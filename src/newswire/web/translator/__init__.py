"""The translators' pages (`/translate`, role translator): the queue of editions in their
languages, one edition side by side, save a draft, submit after the QA gate. Design:
docs/web.md and docs/translate.md ("Human translators")."""
