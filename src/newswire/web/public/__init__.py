"""The public web: the newsroom (release pages, search, issuer pages, editions), the embed
widget for partner sites and the sitemaps. Anonymous readers; nothing embargoed or unpublished
ever appears here. Design: docs/web.md."""
