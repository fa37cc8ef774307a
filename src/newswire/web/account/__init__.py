"""A journalist's own pages (`/account`): sign-up with double opt-in, sign-in by emailed link,
preferences, embargoed releases for the accredited, their data. Design: docs/web.md."""
