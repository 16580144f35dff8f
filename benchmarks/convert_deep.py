"""Time and peak memory of converting deeply nested HTML, one fresh process per case.

Usage: python benchmarks/convert_deep.py [LEVELS ...]   (default 16000 32000 100000)

Each case is LEVELS nested elements with a word in each, the shape of a hostile post. The
converter flattens below depth 200 in one linear pass, so time grows with the size of the body.
"""

from __future__ import annotations

import json
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
from postkit.convert.html_to_markdown import html_to_markdown
levels, tag = int(sys.argv[1]), sys.argv[2]
html = f"<{tag}>词" * levels + f"</{tag}>" * levels
started = time.perf_counter()
markdown = html_to_markdown(html, detect=False)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"bytes": len(html.encode()), "seconds": seconds, "peak_mb": peak, "words": markdown.count("词")}))
"""


def main(argv: list[str]) -> int:
    levels = [int(a) for a in argv] or [16000, 32000, 100000]
    for tag in ("div", "blockquote", "ul", "table", "span"):
        for n in levels:
            result = subprocess.run([sys.executable, "-c", CHILD, str(n), tag], capture_output=True, text=True)
            if result.returncode:
                last = (result.stderr.strip().splitlines() or ["no message"])[-1]
                print(f"{tag:>10} x {n:>6} levels: failed: {last}")
                continue
            r = json.loads(result.stdout)
            print(f"{tag:>10} x {n:>6} levels ({r['bytes'] / 1e6:4.2f} MB): {r['seconds']:6.2f} s  peak RSS {r['peak_mb']:6.1f} MB  words kept {r['words']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
