"""Analysis package."""
