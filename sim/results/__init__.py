"""What a plan produces: tidy tables, the typed summary, and files written whole or not at all."""
