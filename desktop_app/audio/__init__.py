"""Audio package."""
