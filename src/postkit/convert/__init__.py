"""Body conversions: HTML to Markdown (on markdownify) and Chinese script (on OpenCC)."""
