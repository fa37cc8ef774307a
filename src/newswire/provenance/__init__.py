"""Provenance: the wire signs every document it freezes, publishes its public keys, and keeps
an append-only log of what it signed, so that anyone can check a release with the public keys
alone. See docs/provenance.md.

- `keys`: the wire's Ed25519 signing keys in the data folder, their rotation and the JWK Set.
- `statement`: what a signature says about a document, and the canonical bytes it covers.
- `signing`: sign a statement, verify one against a key set.
- `merkle`: RFC 9162 Merkle tree hashing and proofs; `log`: the transparency log over the store
  (sequencer, signed tree heads, proofs); `log_check`: verify what the log serves, no database.
"""
