"""Intelligence over the store: what the analysis of many messages together reveals."""
