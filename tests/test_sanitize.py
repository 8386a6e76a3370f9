"""Cleaning text keeps what people wrote; only the team's Markdown becomes HTML."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from intake.sanitize import clean_line, clean_text, render_markdown


def test_text_is_kept_exactly_apart_from_invisible_troublemakers() -> None:
    assert clean_text("« L'amitié & moi <3 »") == "« L'amitié & moi <3 »"
    assert clean_text("a\r\nb\rc\n\nd") == "a\nb\nc\n\nd"
    assert clean_text("e\u0301te\u0301") == "été"  # NFC
    assert clean_text("x\x00y\x1b\x7fz\u0085") == "xyz"
    assert clean_text("abc\u202edef\u2066") == "abcdef"
    assert clean_text("\tindent") == "indent"
    assert clean_text(None) == ""


def test_single_lines_lose_their_line_breaks() -> None:
    assert clean_line("  Plume\n  &\tCo  ") == "Plume & Co"


def test_markdown_keeps_only_the_allowlist() -> None:
    html = str(
        render_markdown(
            "## Titre\n\n*un* **deux**\n\n> cité\n\n- a\n- b\n\n[lien](https://exemple.org)\n\n"
            "<script>alert(1)</script><iframe src=x></iframe>[x](javascript:alert(1))"
            "<img src=x onerror=alert(1)>"
        )
    )
    assert "<h2>Titre</h2>" in html and "<em>un</em>" in html and "<blockquote>" in html
    assert '<a href="https://exemple.org" rel="nofollow noopener noreferrer">lien</a>' in html
    for danger in ("<script", "<iframe", 'href="javascript:', "<img"):
        assert danger not in html


def test_raw_html_that_reaches_the_cleaner_is_stripped() -> None:
    # markdown-it escapes raw HTML; nh3 is the second wall if that ever changes.
    from intake.sanitize import _clean_html

    html = _clean_html('<p onclick="x()">a</p><script>b</script><a href="javascript:c">d</a>')
    assert html == '<p>a</p><a rel="nofollow noopener noreferrer">d</a>'


DANGERS = {
    "script tag": "<script>alert(1)</script>",
    "script in a heading": "## <script>alert(1)</script>",
    "javascript link": "[clic](javascript:alert(1))",
    "javascript link, mixed case": "[clic](JaVaScRiPt:alert(1))",
    "javascript link, entity": "[clic](&#106;avascript:alert(1))",
    "javascript link, autolink": "<javascript:alert(1)>",
    "data link": "[clic](data:text/html;base64,PHNjcmlwdD4=)",
    "vbscript link": "[clic](vbscript:msgbox(1))",
    "onerror": '<img src=x onerror="alert(1)">',
    "onclick": '<a href="https://exemple.org" onclick="alert(1)">x</a>',
    "iframe": '<iframe src="https://exemple.org"></iframe>',
    "image": "![photo](https://tracker.example/pixel.png)",
    "style attribute": '<p style="position:fixed">x</p>',
    "style tag": "<style>body{display:none}</style>",
    "svg": '<svg onload="alert(1)"></svg>',
    "form": '<form action="https://exemple.org"><input name="q"></form>',
}


class _Elements(HTMLParser):
    """The real elements and attributes of some HTML (escaped text is not markup)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _value in attrs)


def _tags_and_attributes(html: str) -> tuple[set[str], set[str]]:
    parser = _Elements()
    parser.feed(html)
    return parser.tags, parser.attributes


@pytest.mark.parametrize("source", DANGERS.values(), ids=DANGERS.keys())
def test_markdown_never_lets_active_content_through(source: str) -> None:
    html = str(render_markdown(f"Avant\n\n{source}\n\nAprès"))
    tags, attributes = _tags_and_attributes(html)
    assert tags <= {"p", "a", "h2", "br"}, html
    assert attributes <= {"href", "rel"}, html
    # Refused markup may stay as inert, escaped text; no link may lead anywhere but the web.
    for href in re.findall(r'href="([^"]*)"', html):
        assert href.startswith(("https://", "http://", "mailto:")), html


@pytest.mark.parametrize("source", DANGERS.values(), ids=DANGERS.keys())
def test_cleaner_strips_active_content_even_as_raw_html(source: str) -> None:
    from intake.sanitize import _clean_html

    html = _clean_html(source)
    tags, attributes = _tags_and_attributes(html)
    assert tags <= {"a", "p"}, html
    assert attributes <= {"href", "rel"}, html
    for href in re.findall(r'href="([^"]*)"', html):
        assert href.startswith(("https://", "http://", "mailto:")), html


def test_links_are_marked_nofollow_noopener_and_headings_lists_quotes_kept() -> None:
    html = str(
        render_markdown(
            "### Sous-titre\n\n1. un\n2. deux\n\n> « cité »\n\n"
            '[site](https://exemple.org "Titre") et [écrire](mailto:equipe@exemple.org)'
        )
    )
    assert "<h3>Sous-titre</h3>" in html
    assert "<ol>" in html and "<li>deux</li>" in html
    assert "<blockquote>" in html and "« cité »" in html
    for link in re.findall(r"<a [^>]*>", html):
        rel = re.search(r'rel="([^"]*)"', link)
        assert rel and {"nofollow", "noopener"} <= set(rel.group(1).split()), link
    assert 'title="Titre"' in html


def test_headings_above_the_page_title_keep_their_text() -> None:
    # The call's title is the page's h1: a "# heading" in the description keeps its words.
    html = str(render_markdown("# Grand titre\n\nTexte"))
    assert "<h1>" not in html and "Grand titre" in html
