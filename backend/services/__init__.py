"""Business logic as plain typed functions; nothing here imports Flask."""
