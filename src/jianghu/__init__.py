"""jianghu (江湖): threat intelligence for the Chinese-language cybercrime underground."""

__version__ = "0.1.0"
