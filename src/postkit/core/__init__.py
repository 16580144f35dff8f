"""The shared core: a post and its front matter, config, diagnostics, output formats, paths, parallel map, batch writes.

Pure text in, text out, except ``document`` (the one module that reads and
writes files) and ``parallel`` (worker processes). Nothing here prints or
exits, and nothing here imports a command package.
"""
