"""What every backend shares; each database overrides tables and hooks."""
