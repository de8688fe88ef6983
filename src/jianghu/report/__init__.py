"""The landscape report: what the store shows about the market, as HTML and Markdown."""
