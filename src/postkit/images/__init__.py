"""postkit images: find every image a reader of the blog would not see.

``collect`` finds image references with their file line and column,
``local`` resolves site paths, ``remote`` checks URLs over HTTP the way a
browser fetches an ``<img>``, ``cache`` keeps good answers between runs, and
``run`` ties them together into diagnostics. Only ``remote`` imports httpx,
and only when a run goes online.
"""
