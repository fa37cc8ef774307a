"""channels stage."""
