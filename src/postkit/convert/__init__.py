"""postkit convert: HTML post bodies to clean Markdown, on markdownify."""
