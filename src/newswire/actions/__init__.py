"""Every state change goes through the small action functions in this package (as in Zulip's
`actions`): each runs in one transaction, checks the role and the state, and records who did it."""
