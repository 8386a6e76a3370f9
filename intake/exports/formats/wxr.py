"""WordPress eXtended RSS 1.2: every story a draft post, written item by item.

WordPress treats a post's title and content as HTML; the story is plain text, so it is
HTML-escaped first and only then put in XML (escaped text, or CDATA split around "]]>").
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

from intake.exports.formats.common import (
    ExportOptions,
    answer_text,
    paragraphs,
    suggested_title,
    xml_safe,
)
from intake.exports.selection import TEAM_ZONE, StoryRecord

NAMESPACES = {
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wp": "http://wordpress.org/export/1.2/",
}
AUTHOR = "intake"
# A draft without a GMT date is "publish immediately" in WordPress: it gets its date then.
FLOATING_DATE = "0000-00-00 00:00:00"


def cdata(text: str) -> str:
    """Text in a CDATA section; a "]]>" inside is split across two sections."""
    return "<![CDATA[" + xml_safe(text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text(value: str) -> str:
    """Text escaped for an element's content."""
    return escape(xml_safe(value))


def wxr_chunks(records: Iterable[StoryRecord], options: ExportOptions) -> Iterator[bytes]:
    """The channel's head, one <item> per story, then the closing tags."""
    yield channel_head(options).encode("utf-8")
    for record in records:
        yield item(record, options).encode("utf-8")
    yield b"</channel>\n</rss>\n"


def channel_head(options: ExportOptions) -> str:
    """The XML declaration, the namespaces, and the channel's description of the site."""
    declarations = "\n".join(f"\txmlns:{p}={quoteattr(uri)}" for p, uri in NAMESPACES.items())
    site = text(options.site_url)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<rss version="2.0"\n{declarations}\n>\n<channel>\n'
        f"\t<title>{text(html.escape(options.title))}</title>\n\t<link>{site}</link>\n"
        "\t<description></description>\n\t<language>fr-FR</language>\n"
        "\t<wp:wxr_version>1.2</wp:wxr_version>\n"
        f"\t<wp:base_site_url>{site}</wp:base_site_url>\n"
        f"\t<wp:base_blog_url>{site}</wp:base_blog_url>\n"
        f"\t<wp:author><wp:author_id>1</wp:author_id><wp:author_login>{cdata(AUTHOR)}"
        f"</wp:author_login><wp:author_display_name>{cdata(options.title)}"
        "</wp:author_display_name></wp:author>\n"
        "\t<generator>Intake</generator>\n"
    )


def item(record: StoryRecord, options: ExportOptions) -> str:
    """One story as a draft post."""
    received = record.received_at.astimezone(TEAM_ZONE)
    guid = f"{options.site_url.rstrip('/')}/?intake={record.public_id}"
    return (
        "\t<item>\n"
        f"\t\t<title>{text(html.escape(suggested_title(record)))}</title>\n"
        f"\t\t<pubDate>{format_datetime(record.received_at)}</pubDate>\n"
        f"\t\t<dc:creator>{cdata(AUTHOR)}</dc:creator>\n"
        f'\t\t<guid isPermaLink="false">{text(guid)}</guid>\n'
        "\t\t<description></description>\n"
        f"\t\t<content:encoded>{cdata(post_content(record))}</content:encoded>\n"
        "\t\t<excerpt:encoded><![CDATA[]]></excerpt:encoded>\n"
        f"\t\t<wp:post_date>{cdata(received.strftime('%Y-%m-%d %H:%M:%S'))}</wp:post_date>\n"
        f"\t\t<wp:post_date_gmt>{cdata(FLOATING_DATE)}</wp:post_date_gmt>\n"
        "\t\t<wp:comment_status>closed</wp:comment_status>\n"
        "\t\t<wp:ping_status>closed</wp:ping_status>\n"
        f"\t\t<wp:post_name>{cdata(post_name(record.public_id))}</wp:post_name>\n"
        "\t\t<wp:status>draft</wp:status>\n\t\t<wp:post_parent>0</wp:post_parent>\n"
        "\t\t<wp:menu_order>0</wp:menu_order>\n\t\t<wp:post_type>post</wp:post_type>\n"
        "\t\t<wp:post_password></wp:post_password>\n\t\t<wp:is_sticky>0</wp:is_sticky>\n"
        f"{postmeta('intake_public_id', record.public_id)}"
        f"{postmeta('intake_credit', record.credit_line)}"
        "\t</item>\n"
    )


def post_content(record: StoryRecord) -> str:
    """The story as paragraph blocks of the block editor, its text HTML-escaped."""
    blocks = [html.escape(p) for p in paragraphs(record.text)]
    blocks += [
        f"<strong>{html.escape(q)}</strong> : {html.escape(answer_text(a))}"
        for q, a in record.answers
    ]
    return "\n\n".join(
        f"<!-- wp:paragraph -->\n<p>{block}</p>\n<!-- /wp:paragraph -->" for block in blocks
    )


def post_name(public_id: str) -> str:
    """A WordPress slug made from the public id."""
    return "temoignage-" + re.sub(r"[^a-z0-9-]+", "-", public_id.lower()).strip("-")


def postmeta(key: str, value: str) -> str:
    """A custom field; the value is data, kept as typed (themes escape what they show)."""
    return (
        f"\t\t<wp:postmeta><wp:meta_key>{cdata(key)}</wp:meta_key>"
        f"<wp:meta_value>{cdata(value)}</wp:meta_value></wp:postmeta>\n"
    )
