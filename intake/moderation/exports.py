"""Exports of approved stories, their history, and marking several stories published."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext

from intake.auth.guard import requires, team_member
from intake.exports import count_stories, formats, service
from intake.extensions import db
from intake.labels import PURPOSE, STATUS
from intake.models import Role, Submission
from intake.moderation.blueprint import bp, commit_or_stale
from intake.moderation.export_forms import DownloadForm, ExportFilterForm, PublishManyForm
from intake.moderation.forms import local_midnight, today
from intake.review import BulkOutcome, call_titles

NO_STORE = "no-store"


@bp.get("/exports")
@requires(Role.EDITOR)
def exports() -> ResponseReturnValue:
    """Choose the stories and a format; see how many match before downloading."""
    form = ExportFilterForm(request.args, calls=call_titles(), meta={"csrf": False})
    if not form.validate():
        return _page(form, status=400)
    return _page(form)


@bp.post("/exports/telecharger")
@requires(Role.EDITOR)
def download_export() -> ResponseReturnValue:
    """Stream the export; it is traced (and committed) before the first byte leaves."""
    form = DownloadForm(calls=call_titles())
    if not form.validate_on_submit():
        return _page(form, download=form, status=422)
    options = service.export_options(form.excel.data)
    try:
        export = service.start_export(form.format.data, form.filters(), options, _actor())
    except formats.TooManyForDocx as error:
        db.session.rollback()
        return _page(form, download=form, notice=_too_many_message(error), status=422)
    except formats.UseNotForFormat:
        db.session.rollback()
        return _page(form, download=form, notice=use_not_for_format_message(), status=422)
    db.session.commit()
    disposition = f'attachment; filename="{export.filename}"'
    return Response(
        stream_with_context(export.chunks),
        mimetype=export.format.mimetype,
        headers={"Content-Disposition": disposition, "Cache-Control": NO_STORE},
    )


@bp.get("/exports/historique")
@requires(Role.EDITOR)
def export_history() -> ResponseReturnValue:
    """Past exports, newest first: when, who, format, filters, count; never their content."""
    before = request.args.get("before", type=int)
    if "before" in request.args and before is None:
        abort(400)
    history = service.list_exports(before)
    return render_template(
        "moderation/exports_history.html",
        history=history,
        calls=dict(call_titles()),
        purposes={purpose.value: label for purpose, label in PURPOSE.items()},
        statuses={status.value: label for status, label in STATUS.items()},
    )


@bp.post("/exports/publier")
@requires(Role.EDITOR)
def publish_many() -> ResponseReturnValue:
    """Mark the ticked approved stories published, each at its article's address."""
    form = PublishManyForm()
    if not form.validate_on_submit():
        filters = ExportFilterForm(formdata=None, calls=call_titles(), meta={"csrf": False})
        return _page(filters, publish=form, status=422)
    when = local_midnight(form.published_on.data)
    outcome = service.publish_many(form.selection(), when, team_member())
    if commit_or_stale():
        flash(_publish_message(outcome), "success" if not outcome.skipped else "info")
    return redirect(url_for(".exports"), 303)


def _actor() -> str:
    return team_member().actor


def _page(
    filters: ExportFilterForm,
    download: DownloadForm | None = None,
    publish: PublishManyForm | None = None,
    notice: str | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    """The export page; the forms given replace the blank ones (kept input, errors)."""
    chosen = filters.filters() if filters.filters_valid() else None
    publish, shown = _publish_section(publish)
    return render_template(
        "moderation/exports.html",
        form=filters,
        count=None if chosen is None else count_stories(chosen),
        query=filters.query() if chosen is not None else {},
        download=download or DownloadForm(formdata=None, calls=[]),
        publish=publish,
        stories={story.public_id: story for story in shown},
        notice=notice,
    ), status


def _publish_section(form: PublishManyForm | None) -> tuple[PublishManyForm, list[Submission]]:
    """The approved stories to mark published, or the ones a refused form listed."""
    if form is not None:
        return form, service.stories_to_publish([row.public_id for row in form.rows])
    shown = service.stories_to_publish()
    rows = [{"key": f"{story.public_id}:{story.version}"} for story in shown]
    return PublishManyForm(formdata=None, rows=rows, published_on=today()), shown


def _too_many_message(error: formats.TooManyForDocx) -> str:
    return _(
        "A Word document holds at most %(max)d stories and %(count)d match: "
        "please narrow the filters or choose another format. Nothing was downloaded.",
        max=formats.DOCX_MAX_STORIES,
        count=error.count or 0,
    )


def use_not_for_format_message() -> str:
    """Why a WordPress file cannot be made for another use than the site."""
    return _(
        "A WordPress file makes posts on the website: it only ever holds stories whose authors "
        "agreed to publication on the site. Please choose that use, or any use, or another "
        "format. Nothing was downloaded."
    )


def _publish_message(outcome: BulkOutcome) -> str:
    done = ngettext(
        "%(num)d story marked as published.", "%(num)d stories marked as published.", outcome.done
    )
    if not outcome.skipped:
        return done
    skipped = ngettext(
        "%(num)d skipped: it is no longer approved, or someone acted on it first.",
        "%(num)d skipped: they are no longer approved, or someone acted on them first.",
        outcome.skipped,
    )
    return f"{done} {skipped}"
