"""Background jobs of early warning (filled in below)."""
