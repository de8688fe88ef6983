"""Shared helpers of the faces (CLI, web, exports)."""
