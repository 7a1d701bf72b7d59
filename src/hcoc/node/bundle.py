"""Air gap (filled in below)."""
