"""postkit: make generated Markdown blog posts correct and clean."""

__version__ = "0.1.0"
