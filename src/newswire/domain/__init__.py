"""Pure model and rules of newswire: no I/O here."""
