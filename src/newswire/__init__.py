"""newswire: self-hosted press-release distribution."""

__version__ = "0.1.0"
