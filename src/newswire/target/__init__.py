"""target stage."""
