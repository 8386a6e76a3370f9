"""Exports of approved stories: only what the person allowed, in the formats the team uses."""

from intake.exports.selection import (
    ExportFilters,
    StoryRecord,
    count_stories,
    credit_line,
    iter_stories,
)

__all__ = ["ExportFilters", "StoryRecord", "count_stories", "credit_line", "iter_stories"]
