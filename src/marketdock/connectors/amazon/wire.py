"""The SP-API's JSON as marketdock reads it: pydantic models named and shaped as Amazon's.

Every model ignores fields it does not know, and enumerations Amazon extends (statuses,
programs, channels) are plain strings, so a new value reaches the mapping, which decides
what it means, instead of failing the parse. Field names keep Amazon's spelling.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


# ---------------------------------------------------------------- Login with Amazon


class TokenResponse(Wire):
    access_token: str = Field(min_length=1)
    expires_in: int = 3600
    token_type: str = "bearer"


class ApiErrorItem(Wire):
    code: str = ""
    message: str = ""
    details: str | None = None


class ErrorList(Wire):
    errors: list[ApiErrorItem] = Field(default_factory=list)


# ---------------------------------------------------------------- Orders 2026-01-01


class Money(Wire):
    amount: str
    currencyCode: str


class ItemPrice(Wire):
    unitPrice: Money | None = None


class ItemProduct(Wire):
    asin: str | None = None
    title: str | None = None
    sellerSku: str | None = None
    price: ItemPrice | None = None


class ItemFulfillment(Wire):
    quantityFulfilled: int | None = None
    quantityUnfulfilled: int | None = None


class OrderItem(Wire):
    orderItemId: str
    quantityOrdered: int
    product: ItemProduct = Field(default_factory=ItemProduct)
    fulfillment: ItemFulfillment | None = None


class DateTimeRange(Wire):
    earliestDateTime: datetime | None = None
    latestDateTime: datetime | None = None


class OrderFulfillment(Wire):
    fulfillmentStatus: str
    fulfilledBy: str | None = None
    fulfillmentServiceLevel: str | None = None
    shipByWindow: DateTimeRange | None = None
    deliverByWindow: DateTimeRange | None = None


class SalesChannel(Wire):
    channelName: str | None = None
    marketplaceId: str
    marketplaceName: str | None = None


class CustomerAddress(Wire):
    name: str | None = None
    companyName: str | None = None
    addressLine1: str | None = None
    addressLine2: str | None = None
    addressLine3: str | None = None
    city: str | None = None
    districtOrCounty: str | None = None
    stateOrRegion: str | None = None
    postalCode: str | None = None
    countryCode: str | None = None
    phone: str | None = None


class Recipient(Wire):
    deliveryAddress: CustomerAddress | None = None


class Buyer(Wire):
    buyerName: str | None = None
    buyerEmail: str | None = None
    buyerCompanyName: str | None = None


class OrderProceeds(Wire):
    grandTotal: Money | None = None


class PackageItem(Wire):
    orderItemId: str
    quantity: int


class PackageStatus(Wire):
    status: str | None = None


class OrderPackage(Wire):
    packageReferenceId: str
    carrier: str | None = None
    trackingNumber: str | None = None
    shippingService: str | None = None
    shipTime: datetime | None = None
    packageStatus: PackageStatus | None = None
    packageItems: list[PackageItem] = Field(default_factory=list)


class Order(Wire):
    orderId: str
    createdTime: datetime
    lastUpdatedTime: datetime
    programs: list[str] = Field(default_factory=list)
    salesChannel: SalesChannel
    buyer: Buyer | None = None
    recipient: Recipient | None = None
    proceeds: OrderProceeds | None = None
    fulfillment: OrderFulfillment | None = None
    orderItems: list[OrderItem]
    packages: list[OrderPackage] | None = None


class Pagination(Wire):
    nextToken: str | None = None


class SearchOrdersResponse(Wire):
    """The page envelope only: each order is parsed on its own, so one broken order is
    quarantined without losing the page."""

    orders: list[dict[str, object]] = Field(default_factory=list)
    pagination: Pagination | None = None
    lastUpdatedBefore: datetime | None = None
    createdBefore: datetime | None = None


class GetOrderResponse(Wire):
    order: Order


# ---------------------------------------------------------------- Feeds 2021-06-30


class CreateFeedDocumentResponse(Wire):
    feedDocumentId: str
    url: str


class CreateFeedResponse(Wire):
    feedId: str


class Feed(Wire):
    feedId: str
    feedType: str
    processingStatus: str
    createdTime: datetime
    processingStartTime: datetime | None = None
    processingEndTime: datetime | None = None
    resultFeedDocumentId: str | None = None


class FeedDocument(Wire):
    feedDocumentId: str
    url: str
    compressionAlgorithm: str | None = None


class ReportIssue(Wire):
    messageId: int
    sku: str | None = None
    code: str = ""
    severity: str = "ERROR"
    message: str = ""


class ReportSummary(Wire):
    errors: int = 0
    warnings: int = 0
    messagesProcessed: int = 0
    messagesAccepted: int = 0
    messagesInvalid: int = 0


class ProcessingReport(Wire):
    """A JSON_LISTINGS_FEED processing report (schema v2)."""

    issues: list[ReportIssue] = Field(default_factory=list)
    summary: ReportSummary = Field(default_factory=ReportSummary)


# ---------------------------------------------------------------- Listings Items 2021-08-01


class Issue(Wire):
    code: str = ""
    message: str = ""
    severity: str = "ERROR"


class ListingsItemSubmissionResponse(Wire):
    sku: str
    status: str
    submissionId: str | None = None
    issues: list[Issue] = Field(default_factory=list)


class FulfillmentAvailability(Wire):
    fulfillmentChannelCode: str
    quantity: int | None = None


class Item(Wire):
    sku: str
    fulfillmentAvailability: list[FulfillmentAvailability] = Field(default_factory=list)


class ItemSearchResults(Wire):
    numberOfResults: int = 0
    items: list[Item] = Field(default_factory=list)
    pagination: Pagination | None = None
