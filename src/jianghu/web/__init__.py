"""The analysts' web workspace and its HTTP API (FastAPI; the ``web`` extra)."""
