"""Fixtures of the action tests: the DNS and HTTP servers of domain proofs."""

from proof_servers import proof_servers, proofs  # noqa: F401  (fixtures are found by name)
