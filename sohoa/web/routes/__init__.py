"""The pages, one module per part of the interface (who uses it)."""
