"""Exports to the tools analysts already use: STIX 2.1, MISP, CSV and JSONL."""
