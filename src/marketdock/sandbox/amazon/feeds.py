"""Feeds API 2021-06-30: documents, presigned uploads and the feed lifecycle.

A feed is IN_QUEUE for ``feed_queue_seconds``, IN_PROGRESS for ``feed_processing_seconds``
of simulated time, then DONE or FATAL (see :mod:`feed_processing`). Faults: ``feed_stuck``
keeps a feed created while it fires IN_PROGRESS for ever, ``feed_fatal`` ends one FATAL
without a report. JSON_LISTINGS_FEED is limited to five submissions per five minutes.
"""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from marketdock.sandbox.amazon.clock import iso
from marketdock.sandbox.amazon.http import (
    THROTTLED,
    ApiError,
    Call,
    invalid,
    json_response,
    not_found,
    operation,
    sim_of,
)
from marketdock.sandbox.amazon.model import Document, Feed

BASE = "/feeds/2021-06-30"
UPLOADS = "/_s3/feed-uploads"
DOWNLOADS = "/_s3/feed-documents"
STATUSES = frozenset({"CANCELLED", "DONE", "FATAL", "IN_PROGRESS", "IN_QUEUE"})


def new_id(call: Call, prefix: str = "") -> str:
    return f"{prefix}{50000 + call.state.next_number()}{call.state.random.randrange(10**6):06d}"


def _s3_error(status: int, code: str, message: str) -> Response:
    body = f'<?xml version="1.0"?><Error><Code>{code}</Code><Message>{message}</Message></Error>'
    return Response(body, status_code=status, media_type="application/xml")


async def create_feed_document(call: Call) -> Response:
    body = await call.json_body()
    content_type = body.get("contentType")
    if not isinstance(content_type, str) or not content_type:
        raise invalid("Invalid input", "contentType is required")
    doc_id = f"amzn1.tortuga.4.eu.{new_id(call)}"
    call.state.documents[doc_id] = Document(doc_id, call.seller_id, content_type, call.sim.now())
    url = f"{str(call.request.base_url).rstrip('/')}{UPLOADS}/{doc_id}?X-Amz-Expires=300"
    return json_response({"feedDocumentId": doc_id, "url": url}, status=201)


async def upload(request: Request) -> Response:
    """The presigned PUT: same Content-Type as declared, within five minutes."""
    sim = sim_of(request)
    document = sim.state.documents.get(request.path_params["documentId"])
    if document is None:
        return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
    expires = document.created + timedelta(seconds=sim.state.config.upload_url_seconds)
    if sim.now() > expires:
        return _s3_error(403, "AccessDenied", "Request has expired")
    if request.headers.get("content-type", "") != document.content_type:
        return _s3_error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        )
    document.content = await request.body()
    return Response(status_code=200)


async def download(request: Request) -> Response:
    sim = sim_of(request)
    document = sim.state.documents.get(request.path_params["documentId"])
    if document is None or document.content is None:
        return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
    return Response(document.content, media_type=document.content_type)


def _listings_feed_allowed(call: Call) -> bool:
    config = call.state.config
    now = call.sim.now()
    window = timedelta(seconds=config.listings_feed_window_seconds)
    times = [t for t in call.state.listings_feed_times.get(call.seller_id, []) if t + window > now]
    if len(times) >= config.listings_feed_window:
        call.state.listings_feed_times[call.seller_id] = times
        return False
    call.state.listings_feed_times[call.seller_id] = [*times, now]
    return True


async def create_feed(call: Call) -> Response:
    body = await call.json_body()
    feed_type, markets, doc_id = (
        body.get("feedType"),
        body.get("marketplaceIds"),
        body.get("inputFeedDocumentId"),
    )
    if not isinstance(feed_type, str) or not feed_type:
        raise invalid("Invalid input", "feedType is required")
    if not isinstance(markets, list) or not 1 <= len(markets) <= 25:
        raise invalid("Invalid input", "marketplaceIds must list 1 to 25 marketplaces")
    document = call.state.documents.get(str(doc_id))
    if document is None or document.seller_id != call.seller_id:
        raise invalid("Invalid input", f"inputFeedDocumentId {doc_id!r} does not exist")
    if feed_type == "JSON_LISTINGS_FEED" and not _listings_feed_allowed(call):
        raise THROTTLED
    feed = Feed(
        new_id(call), call.seller_id, feed_type, markets, document.document_id, call.sim.now()
    )
    feed.stuck = call.fault("feed_stuck")
    feed.fatal = call.fault("feed_fatal")
    call.state.feeds[feed.feed_id] = feed
    return json_response({"feedId": feed.feed_id}, status=202)


def _feed(call: Call) -> Feed:
    feed_id = call.request.path_params["feedId"]
    if not feed_id.isdigit():
        raise invalid("Invalid input", f"feedId {feed_id!r} is not a feed identifier")
    feed = call.state.feeds.get(feed_id)
    if feed is None or feed.seller_id != call.seller_id:
        raise not_found(f"Feed {call.request.path_params['feedId']} not found")
    return feed


def feed_view(feed: Feed) -> dict[str, object]:
    body: dict[str, object] = {
        "feedId": feed.feed_id,
        "feedType": feed.feed_type,
        "marketplaceIds": feed.marketplace_ids,
        "createdTime": iso(feed.created),
        "processingStatus": feed.status,
    }
    if feed.started:
        body["processingStartTime"] = iso(feed.started)
    if feed.ended and feed.status in ("DONE", "FATAL", "CANCELLED"):
        body["processingEndTime"] = iso(feed.ended)
    if feed.result_document_id:
        body["resultFeedDocumentId"] = feed.result_document_id
    return body


async def get_feed(call: Call) -> Response:
    return json_response(feed_view(_feed(call)))


async def cancel_feed(call: Call) -> Response:
    feed = _feed(call)
    if feed.status != "IN_QUEUE":
        raise invalid("Invalid input", f"Feed {feed.feed_id} is {feed.status}, not IN_QUEUE")
    feed.status, feed.ended = "CANCELLED", call.sim.now()
    return Response(status_code=200)


async def get_feeds(call: Call) -> Response:
    types = [t for raw in call.request.query_params.getlist("feedTypes") for t in raw.split(",")]
    if not types:
        raise invalid("Invalid input", "feedTypes is required")
    statuses = [
        s for raw in call.request.query_params.getlist("processingStatuses") for s in raw.split(",")
    ]
    unknown = set(statuses) - STATUSES
    if unknown:
        raise invalid("Invalid input", f"unknown processingStatuses {sorted(unknown)}")
    feeds = [
        f
        for f in call.state.feeds.values()
        if f.seller_id == call.seller_id and f.feed_type in types
    ]
    return json_response({"feeds": [feed_view(f) for f in feeds]})


async def get_feed_document(call: Call) -> Response:
    doc_id = call.request.path_params["feedDocumentId"]
    if not doc_id.startswith("amzn1.tortuga."):
        raise invalid("Invalid input", f"feedDocumentId {doc_id!r} is not a document identifier")
    document = call.state.documents.get(doc_id)
    if document is None or document.seller_id != call.seller_id:
        raise ApiError(404, "NotFound", f"Document {doc_id} not found")
    url = f"{str(call.request.base_url).rstrip('/')}{DOWNLOADS}/{doc_id}"
    return json_response({"feedDocumentId": doc_id, "url": url})


def routes() -> list[Route]:
    return [
        Route(
            f"{BASE}/documents",
            operation("feeds.createFeedDocument", create_feed_document),
            methods=["POST"],
        ),
        Route(
            f"{BASE}/documents/{{feedDocumentId}}",
            operation("feeds.getFeedDocument", get_feed_document),
            methods=["GET"],
        ),
        Route(f"{BASE}/feeds", operation("feeds.createFeed", create_feed), methods=["POST"]),
        Route(f"{BASE}/feeds", operation("feeds.getFeeds", get_feeds), methods=["GET"]),
        Route(f"{BASE}/feeds/{{feedId}}", operation("feeds.getFeed", get_feed), methods=["GET"]),
        Route(
            f"{BASE}/feeds/{{feedId}}",
            operation("feeds.cancelFeed", cancel_feed),
            methods=["DELETE"],
        ),
        Route(f"{UPLOADS}/{{documentId}}", upload, methods=["PUT"]),
        Route(f"{DOWNLOADS}/{{documentId}}", download, methods=["GET"]),
    ]
