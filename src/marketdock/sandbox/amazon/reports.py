"""Reports API 2021-06-30: report requests, their lifecycle and the generated documents.

A report is IN_QUEUE for ``report_queue_seconds``, IN_PROGRESS for
``report_processing_seconds`` of simulated time, then DONE with a tab-separated document
built from the simulated activity (see :mod:`report_documents`), or CANCELLED when its
data window holds nothing, as Amazon does. The removal and customer returns reports are
requested with createReport. Settlement reports cannot be requested (Amazon creates them
per settlement period; createReport answers 400): the simulator creates one when a period
is closed through ``/_admin/settlements/close``, and getReports finds it.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from marketdock.sandbox.amazon import cursors
from marketdock.sandbox.amazon.clock import iso, parse_iso
from marketdock.sandbox.amazon.http import (
    Call,
    invalid,
    json_response,
    not_found,
    operation,
    query_int,
    query_list,
    query_time,
    sim_of,
)
from marketdock.sandbox.amazon.marketplaces import BY_ID
from marketdock.sandbox.amazon.model import AmazonState, Document, Report
from marketdock.sandbox.amazon.report_documents import (
    BUILDERS,
    SETTLEMENT,
    build,
)

BASE = "/reports/2021-06-30"
DOWNLOADS = "/_s3/report-documents"
STATUSES = frozenset({"CANCELLED", "DONE", "FATAL", "IN_PROGRESS", "IN_QUEUE"})
NOT_REQUESTABLE = frozenset(
    {
        SETTLEMENT,
        "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE",
        "GET_V2_SETTLEMENT_REPORT_DATA_XML",
    }
)
REQUESTABLE = frozenset(BUILDERS) - NOT_REQUESTABLE
DEFAULT_WINDOW = timedelta(days=30)
LISTING_WINDOW = timedelta(days=90)
TOKEN_SECONDS = 300.0
CONTENT_TYPE = "text/tab-separated-values; charset=UTF-8"


def advance_reports(state: AmazonState, now: datetime) -> None:
    """Move every report along its lifecycle as far as ``now`` allows."""
    queue = timedelta(seconds=state.config.report_queue_seconds)
    work = timedelta(seconds=state.config.report_processing_seconds)
    for report in state.reports.values():
        if report.status == "IN_QUEUE" and report.created + queue <= now:
            report.status, report.started = "IN_PROGRESS", report.created + queue
        if report.status == "IN_PROGRESS" and report.started and report.started + work <= now:
            report.ended = report.started + work
            content = build(state, report)
            if content is None:
                report.status = "CANCELLED"
                continue
            doc_id = f"amzn1.spdoc.1.4.eu.{_uuid(state)}.T{report.report_id}"
            state.documents[doc_id] = Document(
                doc_id, report.seller_id, CONTENT_TYPE, report.ended, content
            )
            report.status, report.document_id = "DONE", doc_id


def _uuid(state: AmazonState) -> str:
    return str(uuid.UUID(int=state.random.getrandbits(128), version=4))


def new_report_id(state: AmazonState) -> str:
    return f"{60000 + state.next_number()}{state.random.randrange(10**6):06d}"


def report_view(report: Report) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reportId": report.report_id,
        "reportType": report.report_type,
        "marketplaceIds": report.marketplace_ids,
        "dataStartTime": iso(report.data_start),
        "dataEndTime": iso(report.data_end),
        "createdTime": iso(report.created),
        "processingStatus": report.status,
    }
    if report.started:
        body["processingStartTime"] = iso(report.started)
    if report.ended and report.status in ("DONE", "CANCELLED", "FATAL"):
        body["processingEndTime"] = iso(report.ended)
    if report.document_id:
        body["reportDocumentId"] = report.document_id
    return body


def close_settlement(
    state: AmazonState, seller_id: str, marketplace_id: str, now: datetime
) -> Report:
    """End the open settlement period of a seller's marketplace and queue its report.

    A period starts where the previous one ended; the first one covers the 14 days before.
    """
    key = f"{seller_id}/{marketplace_id}"
    start = state.settled_until.get(key, now - timedelta(days=14))
    report = Report(
        report_id=new_report_id(state),
        seller_id=seller_id,
        report_type=SETTLEMENT,
        marketplace_ids=[marketplace_id],
        created=now,
        data_start=start,
        data_end=now,
        settlement_id=f"{10**10 + state.next_number() * 7919}",
    )
    state.reports[report.report_id] = report
    state.settled_until[key] = now
    return report


def _time(body: dict[str, Any], name: str) -> datetime | None:
    raw = body.get(name)
    if raw is None:
        return None
    try:
        return parse_iso(str(raw))
    except ValueError as exc:
        raise invalid("Invalid input", f"{name} is not an ISO 8601 date-time: {raw!r}") from exc


async def create_report(call: Call) -> Response:
    advance_reports(call.state, call.sim.now())
    body = await call.json_body()
    report_type, markets = body.get("reportType"), body.get("marketplaceIds")
    if report_type in NOT_REQUESTABLE:
        raise invalid(
            "Invalid input",
            f"{report_type} cannot be requested; Amazon creates settlement reports, "
            "find them with getReports",
        )
    if report_type not in REQUESTABLE:
        raise invalid("Invalid input", f"reportType {report_type!r} is not supported")
    if not isinstance(markets, list) or not 1 <= len(markets) <= 25:
        raise invalid("Invalid input", "marketplaceIds must list 1 to 25 marketplaces")
    unknown = [m for m in markets if m not in BY_ID]
    if unknown:
        raise invalid("Invalid input", f"unknown marketplaceIds {unknown}")
    now = call.sim.now()
    end = _time(body, "dataEndTime") or now
    start = _time(body, "dataStartTime") or end - DEFAULT_WINDOW
    if start > end or start > now:
        raise invalid("Invalid input", "dataStartTime must be before dataEndTime and now")
    report = Report(
        report_id=new_report_id(call.state),
        seller_id=call.seller_id,
        report_type=report_type,
        marketplace_ids=list(markets),
        created=now,
        data_start=start,
        data_end=min(end, now),
    )
    call.state.reports[report.report_id] = report
    return json_response({"reportId": report.report_id}, status=202)


def _report(call: Call) -> Report:
    advance_reports(call.state, call.sim.now())
    report_id = call.request.path_params["reportId"]
    if not report_id.isdigit():
        raise invalid("Invalid input", f"reportId {report_id!r} is not a report identifier")
    report = call.state.reports.get(report_id)
    if report is None or report.seller_id != call.seller_id:
        raise not_found(f"Report {report_id} not found")
    return report


async def get_report(call: Call) -> Response:
    return json_response(report_view(_report(call)))


def _listing_query(call: Call) -> dict[str, Any]:
    types = query_list(call.request, "reportTypes")
    if not 1 <= len(types) <= 10:
        raise invalid("Invalid input", "reportTypes must list 1 to 10 report types")
    statuses = query_list(call.request, "processingStatuses")
    unknown = set(statuses) - STATUSES
    if unknown:
        raise invalid("Invalid input", f"Invalid input in processing status {sorted(unknown)}")
    now = call.sim.now()
    since = query_time(call.request, "createdSince") or now - LISTING_WINDOW
    until = query_time(call.request, "createdUntil") or now
    if since < now - LISTING_WINDOW or since > until:
        raise invalid(
            "Invalid input", "createdSince must be within 90 days and before createdUntil"
        )
    return {
        "types": types,
        "statuses": statuses,
        "markets": query_list(call.request, "marketplaceIds"),
        "since": iso(since),
        "until": iso(until),
        "size": query_int(call.request, "pageSize", 10, 1, 100),
    }


async def get_reports(call: Call) -> Response:
    advance_reports(call.state, call.sim.now())
    token = call.request.query_params.get("nextToken")
    if token:
        query, offset = cursors.resume(call, "reports.getReports", token)
    else:
        query, offset = _listing_query(call), 0
    found = sorted(
        (
            r
            for r in call.state.reports.values()
            if r.seller_id == call.seller_id
            and r.report_type in query["types"]
            and (not query["statuses"] or r.status in query["statuses"])
            and (not query["markets"] or set(r.marketplace_ids) & set(query["markets"]))
            and query["since"] <= iso(r.created) <= query["until"]
        ),
        key=lambda r: (r.created, r.report_id),
        reverse=True,
    )
    size = query["size"]
    body: dict[str, Any] = {"reports": [report_view(r) for r in found[offset : offset + size]]}
    if offset + size < len(found):
        body["nextToken"] = cursors.issue(
            call, "reports.getReports", query, offset + size, TOKEN_SECONDS
        )
    return json_response(body)


async def get_report_document(call: Call) -> Response:
    doc_id = call.request.path_params["reportDocumentId"]
    if not doc_id.startswith("amzn1.spdoc."):
        raise invalid("Invalid input", f"reportDocumentId {doc_id!r} is not a document identifier")
    document = call.state.documents.get(doc_id)
    if document is None or document.seller_id != call.seller_id:
        raise not_found(f"Document {doc_id} not found")
    url = f"{str(call.request.base_url).rstrip('/')}{DOWNLOADS}/{doc_id}"
    return json_response({"reportDocumentId": doc_id, "url": url})


async def download(request: Request) -> Response:
    """The presigned GET of a report document (no compression)."""
    sim = sim_of(request)
    document = sim.state.documents.get(request.path_params["documentId"])
    if document is None or document.content is None:
        body = '<?xml version="1.0"?><Error><Code>NoSuchKey</Code></Error>'
        return Response(body, status_code=404, media_type="application/xml")
    return Response(document.content, media_type=document.content_type)


def routes() -> list[Route]:
    return [
        Route(f"{BASE}/reports", operation("reports.getReports", get_reports), methods=["GET"]),
        Route(
            f"{BASE}/reports", operation("reports.createReport", create_report), methods=["POST"]
        ),
        Route(
            f"{BASE}/reports/{{reportId}}",
            operation("reports.getReport", get_report),
            methods=["GET"],
        ),
        Route(
            f"{BASE}/documents/{{reportDocumentId}}",
            operation("reports.getReportDocument", get_report_document),
            methods=["GET"],
        ),
        Route(f"{DOWNLOADS}/{{documentId}}", download, methods=["GET"]),
    ]
