"""The feed the import benchmarks parse: RSSHub-style RSS 2.0 with Chinese HTML descriptions (standard library only)."""

from __future__ import annotations

import datetime as dt
from email.utils import format_datetime

PARAGRAPHS = [
    "北京时间今天上午，<strong>开发者大会</strong>正式开幕，发布了多项<em>新功能</em>。",
    "详细内容见<a href=\"/post/{n}/related\">相关文章</a>，以及<a href=\"https://www.example.com/news\">官网新闻稿</a>。",
    "本文对比两种做法：一种是“先写后改”，另一种是“边写边改”。",
]
EXTRAS = [
    "<table><tr><th>项目</th><th>数值</th></tr><tr><td>速度</td><td>{n} 条/秒</td></tr></table>",
    "<pre><code class=\"language-python\">for i in range({n}):\n    print(i)</code></pre>",
    "<ul><li>第一点</li><li>第二点：{n}</li></ul>",
]


def make_feed(items: int) -> bytes:
    """An RSSHub-style RSS 2.0 feed of ``items`` items, newest first."""
    start = dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title><![CDATA[基准 - 最新文章]]></title>'
        "<link>https://bench.example.cn/</link><description>RSSHub</description><generator>RSSHub</generator>"
    ]
    for n in range(items, 0, -1):
        when = format_datetime(start + dt.timedelta(minutes=17 * n), usegmt=True)
        body = (
            f'<img src="https://stat.bench.example.cn/_/stat?id={n}" width="1" height="1">'
            f"<p>{PARAGRAPHS[n % 3].format(n=n)}</p>"
            f'<p><img src="https://cdn.bench.example.cn/static/loading.gif" data-src="https://cdn.bench.example.cn/{n}/a.jpg"></p>'
            f"<p>{PARAGRAPHS[(n + 1) % 3].format(n=n)}</p>{EXTRAS[n % 3].format(n=n)}"
            f'<p><img src="https://cdn.bench.example.cn/{n}/b.png" referrerpolicy="no-referrer"></p>'
        )
        out.append(
            f"<item><title><![CDATA[第 {n} 篇：“开发者大会” / 新功能？]]></title><description><![CDATA[{body}]]></description>"
            f"<pubDate>{when}</pubDate><guid isPermaLink=\"false\">https://bench.example.cn/post/{n}</guid>"
            f"<link>https://bench.example.cn/post/{n}</link><author><![CDATA[作者{n % 7}]]></author><category>科技</category></item>"
        )
    out.append("</channel></rss>\n")
    return "".join(out).encode("utf-8")
