"""The receiver's HTML: the pages at `/` (server-rendered, no scripts), the acknowledge form's
POST, and the project's runbooks at `/runbooks/NAME`.

Every string a page shows came in a webhook from anyone who can reach it, so the templates
autoescape everything, links are only ever the runbook links `runbooks.runbook_link` allows, and
each HTML answer carries a Content-Security-Policy that allows no script at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from monitoring.oncall.model import Page, PageStatus, acknowledger, china_time
from monitoring.oncall.runbooks import runbook_html, runbook_link

_TEMPLATES = Environment(loader=PackageLoader("monitoring.oncall", "templates"),
                         autoescape=select_autoescape(["html", "j2"]))
_TEMPLATES.filters["china_time"] = china_time
_TEMPLATES.filters["path"] = lambda value: quote(str(value), safe="")
HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self';"
                                      " base-uri 'none'; frame-ancestors 'none'",
           "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
# Most urgent first: nobody took it in time, nobody has it yet, someone has it, over.
SECTIONS = (PageStatus.ESCALATED, PageStatus.OPEN, PageStatus.ACKNOWLEDGED, PageStatus.RESOLVED)
_SEVERITIES = {"page", "ticket"}
_MAX_FORM_BYTES = 4096


@dataclass(frozen=True, slots=True)
class PageRow:
    """A page as one table row shows it."""

    page: Page
    runbook: str | None
    severity_class: str


def _row(page: Page) -> PageRow:
    return PageRow(page, runbook_link(page.runbook),
                   f"sev-{page.severity}" if page.severity in _SEVERITIES else "sev-other")


def render_pages(request: Request, error: str | None = None, status_code: int = 200) -> HTMLResponse:
    """The page list, grouped by status, newest first in each group."""
    pages = sorted(request.app.state.store.all(), key=lambda p: p.paged_at, reverse=True)
    sections = [(status, [_row(p) for p in pages if p.status is status]) for status in SECTIONS]
    waiting = sum(p.status in (PageStatus.ESCALATED, PageStatus.OPEN) for p in pages)
    html = _TEMPLATES.get_template("pages.html.j2").render(
        sections=sections, error=error, waiting=waiting, now=china_time(request.app.state.clock()))
    return HTMLResponse(html, status_code=status_code, headers=HEADERS)


async def pages_page(request: Request) -> Response:
    """`GET /`: the on-call page."""
    return render_pages(request)


async def runbook_page(request: Request) -> Response:
    """`GET /runbooks/{name}`: one of the project's runbooks."""
    name = request.path_params["name"]
    body = runbook_html(name)
    if body is None:
        return HTMLResponse("<!DOCTYPE html><title>No such runbook</title><p>No such runbook.</p>",
                            status_code=404, headers=HEADERS)
    html = _TEMPLATES.get_template("runbook.html.j2").render(name=name, body=body)
    return HTMLResponse(html, headers=HEADERS)


def is_form(request: Request) -> bool:
    """A browser's form submission (as opposed to the JSON API's `?by=`)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return kind == "application/x-www-form-urlencoded"


def _same_origin(request: Request) -> bool:
    """False when a browser posts from another site (a forged acknowledgement); clients that send
    no Origin (curl, scripts) are not browsers and are let through."""
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host")


async def acknowledge_form(request: Request) -> Response:
    """The acknowledge button: acknowledge, then back to the page (303), or the page with why not."""
    if not _same_origin(request):
        return render_pages(request, "acknowledgements come from this page only", 403)
    body = await request.body()
    try:
        if len(body) > _MAX_FORM_BYTES:
            raise ValueError("the form is too large")
        fields = parse_qs(body.decode("utf-8"), max_num_fields=8)
        who = acknowledger(fields.get("by", [""])[0])
    except (ValueError, UnicodeDecodeError) as exc:
        return render_pages(request, f"not acknowledged: {exc}", 400)
    fingerprint = request.path_params["fingerprint"]
    if not request.app.state.store.acknowledge(fingerprint, who, request.app.state.clock()):
        return render_pages(request, "not acknowledged: no such page, or someone already has it", 409)
    return RedirectResponse(f"/#page-{quote(fingerprint, safe='')}", status_code=303)
