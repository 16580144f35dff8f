"""postkit import: RSS, Atom and JSON Feed items as Hexo posts."""
