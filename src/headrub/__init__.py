"""headrub: a terminal guide for head and scalp self-massage."""
