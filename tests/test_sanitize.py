"""Cleaning text keeps what people wrote; only the team's Markdown becomes HTML."""

from __future__ import annotations

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
