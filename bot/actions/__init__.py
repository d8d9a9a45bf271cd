"""Custom actions: one module per feature; every personal answer comes from the backend's API."""
