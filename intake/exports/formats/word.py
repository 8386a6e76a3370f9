"""The Word document: one section per story, built in memory by python-docx, hence capped."""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_SECTION

from intake.exports.formats.common import (
    ExportOptions,
    answer_text,
    paragraphs,
    suggested_title,
    xml_safe,
)
from intake.exports.selection import StoryRecord

DOCX_MAX_STORIES = 500
USE_LABELS = {
    "publish_site": "article sur le site",
    "publish_social": "extraits sur les réseaux sociaux",
    "publish_audio": "lecture à voix haute (podcast, vidéo)",
    "publish_print": "publication imprimée",
}


class TooManyForDocx(ValueError):
    """More stories than one Word document may hold."""

    def __init__(self, count: int | None = None) -> None:
        found = f"{count} stories match" if count is not None else "More stories were given"
        super().__init__(
            f"{found}; a Word document holds at most {DOCX_MAX_STORIES}. "
            "Narrow the filters or choose another format."
        )
        self.count, self.cap = count, DOCX_MAX_STORIES


def check_docx_count(count: int) -> None:
    """Refuse, before building anything, a Word export above the cap."""
    if count > DOCX_MAX_STORIES:
        raise TooManyForDocx(count)


def write_docx(records: Iterable[StoryRecord], out: BinaryIO, options: ExportOptions) -> int:
    """Build the document (refused above the cap, before anything is written) and save it."""
    document = Document()
    document.core_properties.title = xml_safe(options.title)
    document.core_properties.author = xml_safe(options.title)
    count = 0
    for record in records:
        count += 1
        if count > DOCX_MAX_STORIES:
            raise TooManyForDocx()
        if count > 1:
            document.add_section(WD_SECTION.NEW_PAGE)
        add_story(document, record)
    document.save(out)
    return count


def add_story(document: DocumentObject, record: StoryRecord) -> None:
    """A heading, the reference line, the text and the publishable answers."""
    # python-docx escapes markup itself: a "<script>" stays literal text in a paragraph.
    document.add_heading(suggested_title(record), level=1)
    uses = ", ".join(USE_LABELS.get(use, use) for use in record.uses)
    credit = xml_safe(record.credit_line)
    document.add_paragraph(f"Réf. {record.public_id} · Crédit : {credit} · Usages : {uses}")
    for paragraph in paragraphs(xml_safe(record.text)):
        document.add_paragraph(paragraph)
    if record.answers:
        document.add_heading("Réponses", level=2)
    for question, value in record.answers:
        answer = document.add_paragraph()
        answer.add_run(xml_safe(question)).bold = True
        answer.add_run(" : " + xml_safe(answer_text(value)))
