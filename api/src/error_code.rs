//! The API's error vocabulary: every `error.code` a response can carry, with its wire string
//! (stable, UPPER_SNAKE — clients and tests compare it), the HTTP status it usually comes
//! with, and what it means. The "Error codes" table of docs/API_DOCUMENTATION.md is generated
//! from this list (`cargo run -p nexus-api --bin nexus-docs`), so a new code is documented by
//! adding it here.
//!
//! The status is the usual one: a route may answer a code with another status where its
//! legacy contract says so (the meaning then names it). WebSocket close reasons and the
//! socket's `error` messages are a separate vocabulary, documented with the socket protocol.

use axum::http::StatusCode;
use serde::{Serialize, Serializer};

/// Declares [`ErrorCode`] from one table: variant, wire string, usual status, meaning.
macro_rules! error_codes {
    ($($variant:ident = $wire:literal, $status:ident, $meaning:literal;)+) => {
        /// A stable public error code (see the module documentation).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ErrorCode {
            $(
                #[doc = $meaning]
                $variant,
            )+
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];

            /// The string sent as `error.code`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $wire,)+
                }
            }

            /// The HTTP status the code usually comes with.
            pub const fn status(self) -> StatusCode {
                match self {
                    $(ErrorCode::$variant => StatusCode::$status,)+
                }
            }

            /// One line saying what the code means (the documentation's "Meaning").
            pub const fn meaning(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $meaning,)+
                }
            }
        }
    };
}

error_codes! {
    // ---- Any endpoint: request shape, server and store --------------------------------
    BadRequest = "BAD_REQUEST", BAD_REQUEST,
        "The request could not be read (a malformed header, path or body).";
    MalformedJson = "MALFORMED_JSON", BAD_REQUEST,
        "The request body is not valid JSON.";
    ValidationFailed = "VALIDATION_FAILED", UNPROCESSABLE_ENTITY,
        "The body has the wrong shape or a field is invalid; `details.field` or `details.reason` says which.";
    FieldRequired = "FIELD_REQUIRED", UNPROCESSABLE_ENTITY,
        "A field the step needs is missing (`details.field`).";
    InvalidField = "INVALID_FIELD", UNPROCESSABLE_ENTITY,
        "A required text field is empty or too long.";
    TextTooLong = "TEXT_TOO_LONG", UNPROCESSABLE_ENTITY,
        "A text field is longer than allowed (`details.field`).";
    NothingToUpdate = "NOTHING_TO_UPDATE", UNPROCESSABLE_ENTITY,
        "The update body changes nothing.";
    FieldNotEditable = "FIELD_NOT_EDITABLE", UNPROCESSABLE_ENTITY,
        "A field was sent that changes only through its own endpoint.";
    InvalidQuery = "INVALID_QUERY", UNPROCESSABLE_ENTITY,
        "A query parameter has the wrong format or is out of range (`details.reason`).";
    InvalidFilter = "INVALID_FILTER", BAD_REQUEST,
        "A list filter names an unknown value or is not a date.";
    InvalidDate = "INVALID_DATE", BAD_REQUEST,
        "A date parameter is not YYYY-MM-DD or an RFC 3339 instant (422 for an invoice date).";
    InvalidStatus = "INVALID_STATUS", BAD_REQUEST,
        "A status filter names no known status (422 on procurement lists).";
    UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE", UNSUPPORTED_MEDIA_TYPE,
        "The body's content type is not the one the endpoint takes (JSON or multipart).";
    PayloadTooLarge = "PAYLOAD_TOO_LARGE", PAYLOAD_TOO_LARGE,
        "The request body is larger than allowed (JSON 1 MiB, uploads 10 MiB).";
    EndpointNotFound = "ENDPOINT_NOT_FOUND", NOT_FOUND,
        "No endpoint has this method and path.";
    UpgradeRequired = "UPGRADE_REQUIRED", UPGRADE_REQUIRED,
        "`GET /ws` was called without the WebSocket upgrade headers.";
    RateLimited = "RATE_LIMITED", TOO_MANY_REQUESTS,
        "Too many requests; retry after `Retry-After` seconds (`details.retryAfterSeconds`).";
    Conflict = "CONFLICT", CONFLICT,
        "The record changed meanwhile (or kept changing); reload and try again.";
    Duplicate = "DUPLICATE", CONFLICT,
        "A unique key is already taken (`details.collection`, `details.index`); keys with their own code use that instead.";
    NoFreeId = "NO_FREE_ID", CONFLICT,
        "No free identifier could be allocated; try again.";
    InternalError = "INTERNAL_ERROR", INTERNAL_SERVER_ERROR,
        "A fault on the server; it is logged with the request id.";
    StoreUnavailable = "STORE_UNAVAILABLE", SERVICE_UNAVAILABLE,
        "The database is not reachable right now.";

    // ---- Authentication and permissions ------------------------------------------------
    TokenMissing = "TOKEN_MISSING", UNAUTHORIZED,
        "No bearer token was sent.";
    TokenInvalid = "TOKEN_INVALID", UNAUTHORIZED,
        "The token is malformed, of the wrong kind, or its user is gone.";
    TokenExpired = "TOKEN_EXPIRED", UNAUTHORIZED,
        "The token has expired; refresh it or sign in again.";
    TokenRevoked = "TOKEN_REVOKED", UNAUTHORIZED,
        "The token was revoked (logout everywhere, a password change or a change of access).";
    UserInactive = "USER_INACTIVE", UNAUTHORIZED,
        "The account is not active.";
    InvalidCredentials = "INVALID_CREDENTIALS", UNAUTHORIZED,
        "Wrong e-mail or password, or a wrong current password.";
    PasswordPolicy = "PASSWORD_POLICY", UNPROCESSABLE_ENTITY,
        "The new password does not meet the policy (`details.problems`).";
    GatewayLoginDisabled = "GATEWAY_LOGIN_DISABLED", NOT_FOUND,
        "Gateway sign-in is not configured on this server.";
    GatewayLoginRefused = "GATEWAY_LOGIN_REFUSED", UNAUTHORIZED,
        "The SSH gateway's key or the user was refused.";
    Forbidden = "FORBIDDEN", FORBIDDEN,
        "Signed in but not allowed (`details.required` lists the permission and level needed).";

    // ---- Users ------------------------------------------------------------------------
    UserNotFound = "USER_NOT_FOUND", NOT_FOUND,
        "No such user.";
    UserExists = "USER_EXISTS", CONFLICT,
        "The user id or e-mail is already used by another user.";
    UserDeleted = "USER_DELETED", CONFLICT,
        "The user was erased (GDPR) and cannot be changed.";
    ErasureNotConfirmed = "ERASURE_NOT_CONFIRMED", UNPROCESSABLE_ENTITY,
        "A GDPR erasure needs `confirm` equal to the user id and a `reason` (3 to 500 characters).";
    SelfChangeRefused = "SELF_CHANGE_REFUSED", CONFLICT,
        "You cannot change your own role, status or access, or erase your own account; ask another administrator.";
    AdminAccountProtected = "ADMIN_ACCOUNT_PROTECTED", FORBIDDEN,
        "Only an Admin may change an Admin account.";
    AdminRoleProtected = "ADMIN_ROLE_PROTECTED", FORBIDDEN,
        "Only an Admin may give the Admin role.";
    AdminBypassProtected = "ADMIN_BYPASS_PROTECTED", FORBIDDEN,
        "Only an Admin may grant `admin_bypass`.";
    OrgRegionConflict = "ORG_REGION_CONFLICT", CONFLICT,
        "A user may hold regional slots of one region only.";
    ManagerCycle = "MANAGER_CYCLE", CONFLICT,
        "The new manager reports to this user; the reporting line would loop.";

    // ---- Customers --------------------------------------------------------------------
    CustomerNotFound = "CUSTOMER_NOT_FOUND", NOT_FOUND,
        "No such customer.";
    CustomerExists = "CUSTOMER_EXISTS", CONFLICT,
        "A customer with this id already exists.";
    NotYourCustomer = "NOT_YOUR_CUSTOMER", FORBIDDEN,
        "Only the assigned salesperson, their managers or master data may edit this customer.";
    KycDocumentUnknown = "KYC_DOCUMENT_UNKNOWN", UNPROCESSABLE_ENTITY,
        "A KYC field does not refer to an uploaded document.";
    ReasonRequired = "REASON_REQUIRED", UNPROCESSABLE_ENTITY,
        "The action needs a reason (blocking, rejecting, cancelling, an outward movement).";

    // ---- Products, batches and prices --------------------------------------------------
    ProductNotFound = "PRODUCT_NOT_FOUND", NOT_FOUND,
        "No such product (422 for a stock-receipt line naming none).";
    ProductExists = "PRODUCT_EXISTS", CONFLICT,
        "A product with this id already exists.";
    SkuCodeTaken = "SKU_CODE_TAKEN", CONFLICT,
        "Another product already has this SKU code.";
    ProductInactive = "PRODUCT_INACTIVE", UNPROCESSABLE_ENTITY,
        "The product is deactivated.";
    ProductInUse = "PRODUCT_IN_USE", CONFLICT,
        "Open orders still reference the product (`details.orderIds`).";
    InvalidDays = "INVALID_DAYS", UNPROCESSABLE_ENTITY,
        "`days` is not a whole number in the allowed range.";
    BatchNotFound = "BATCH_NOT_FOUND", NOT_FOUND,
        "The batch does not exist or is inactive.";
    BatchExpiryMismatch = "BATCH_EXPIRY_MISMATCH", CONFLICT,
        "The batch is already held with another expiry date.";
    DistributorPriceNotFound = "DISTRIBUTOR_PRICE_NOT_FOUND", NOT_FOUND,
        "No such distributor price entry.";
    DuplicatePriceEntry = "DUPLICATE_PRICE_ENTRY", CONFLICT,
        "The distributor already has a price entry for this material.";

    // ---- Warehouses -------------------------------------------------------------------
    WarehouseNotFound = "WAREHOUSE_NOT_FOUND", NOT_FOUND,
        "No warehouse has this id or alias.";
    WarehouseExists = "WAREHOUSE_EXISTS", CONFLICT,
        "The warehouse id or an alias is already used.";

    // ---- Orders: booking and editing ---------------------------------------------------
    OrderNotFound = "ORDER_NOT_FOUND", NOT_FOUND,
        "No such order, or not one you may see.";
    UnknownCustomer = "UNKNOWN_CUSTOMER", UNPROCESSABLE_ENTITY,
        "The order names a customer that does not exist.";
    CustomerBlocked = "CUSTOMER_BLOCKED", UNPROCESSABLE_ENTITY,
        "The customer is blocked; no orders can be booked.";
    UnknownProduct = "UNKNOWN_PRODUCT", UNPROCESSABLE_ENTITY,
        "A line names a product that does not exist.";
    InvalidLine = "INVALID_LINE", UNPROCESSABLE_ENTITY,
        "A line names no product, or its productId and skuCode disagree.";
    InvalidItems = "INVALID_ITEMS", UNPROCESSABLE_ENTITY,
        "Too few or too many lines.";
    InvalidQuantity = "INVALID_QUANTITY", UNPROCESSABLE_ENTITY,
        "A quantity is not positive or is too large.";
    InvalidPrice = "INVALID_PRICE", UNPROCESSABLE_ENTITY,
        "A line's rate is not positive.";
    NoPrice = "NO_PRICE", UNPROCESSABLE_ENTITY,
        "A line has no rate: none was given and the product has no price.";
    InvalidBoxCount = "INVALID_BOX_COUNT", UNPROCESSABLE_ENTITY,
        "A line's box count is negative.";
    MissingGstRate = "MISSING_GST_RATE", UNPROCESSABLE_ENTITY,
        "A product on the order has no GST rate, so it cannot be priced.";
    TooManyPhotos = "TOO_MANY_PHOTOS", UNPROCESSABLE_ENTITY,
        "More sales photos than allowed.";
    InvalidPhotoKey = "INVALID_PHOTO_KEY", UNPROCESSABLE_ENTITY,
        "A sales photo key is empty, too long or malformed.";
    NotOrderOwner = "NOT_ORDER_OWNER", FORBIDDEN,
        "Only the order's salesperson (or an Admin) may do this.";
    UnknownStatus = "UNKNOWN_STATUS", UNPROCESSABLE_ENTITY,
        "The value is not an order status.";

    // ---- Orders: lifecycle --------------------------------------------------------------
    OrderClosed = "ORDER_CLOSED", CONFLICT,
        "The order is in a final status.";
    InvalidTransition = "INVALID_TRANSITION", CONFLICT,
        "The step is not possible from the order's current status.";
    NoChange = "NO_CHANGE", CONFLICT,
        "The order is already in that status.";
    StatusJumpNotAllowed = "STATUS_JUMP_NOT_ALLOWED", CONFLICT,
        "No step you may take moves the record to that status (422 on procurement).";
    StepNeedsInput = "STEP_NEEDS_INPUT", UNPROCESSABLE_ENTITY,
        "That status is reached by a step that needs input; use its step endpoint.";
    StnLifecycle = "STN_LIFECYCLE", CONFLICT,
        "A stock transfer has its own lifecycle (it is received, not delivered).";
    CancelTooLate = "CANCEL_TOO_LATE", FORBIDDEN,
        "The order's owner may cancel it only before warehouse selection.";
    SelfApproval = "SELF_APPROVAL", FORBIDDEN,
        "You cannot credit-approve an order you booked.";
    CreditCheckFailed = "CREDIT_CHECK_FAILED", CONFLICT,
        "The order fails the credit check (over the limit, or a cash-only account): approving it needs `override: true` with a reason, by a holder of `credit_override` (`details.creditCheck` has the figures).";
    NotAssignedAgent = "NOT_ASSIGNED_AGENT", FORBIDDEN,
        "Only the assigned delivery agent may do this.";

    // ---- Orders: stock, picking and quality --------------------------------------------
    NoWarehouse = "NO_WAREHOUSE", CONFLICT,
        "The step allocates stock but the order has no warehouse.";
    InsufficientStock = "INSUFFICIENT_STOCK", CONFLICT,
        "Not enough stock (`details` give available and requested).";
    StockState = "STOCK_STATE", CONFLICT,
        "The stock is already reserved, or not reserved, for this step.";
    UnknownBatch = "UNKNOWN_BATCH", UNPROCESSABLE_ENTITY,
        "A pick names a batch that does not exist or is inactive.";
    InvalidPick = "INVALID_PICK", UNPROCESSABLE_ENTITY,
        "The picks do not match the order's lines (count, quantities or batches).";
    PickNotAllocated = "PICK_NOT_ALLOCATED", UNPROCESSABLE_ENTITY,
        "A pick names a batch not allocated to its line.";
    OverPick = "OVER_PICK", UNPROCESSABLE_ENTITY,
        "A pick is larger than the quantity allocated from that batch.";
    ClearanceWarehouseMismatch = "CLEARANCE_WAREHOUSE_MISMATCH", CONFLICT,
        "The clearance order's batches are held in another warehouse.";
    QcChecklistIncomplete = "QC_CHECKLIST_INCOMPLETE", UNPROCESSABLE_ENTITY,
        "A QC pass needs every check ticked.";
    InvalidTemperature = "INVALID_TEMPERATURE", UNPROCESSABLE_ENTITY,
        "The recorded temperature is out of range.";
    InvalidPhoto = "INVALID_PHOTO", UNPROCESSABLE_ENTITY,
        "The QC photo is not a photo uploaded with `POST /api/upload-photo`.";
    QcNotRecorded = "QC_NOT_RECORDED", CONFLICT,
        "The order has no open QC record to attach a photo to.";
    StorageUnavailable = "STORAGE_UNAVAILABLE", SERVICE_UNAVAILABLE,
        "File storage is unavailable while checking a photo; try again.";

    // ---- Orders: invoice, dispatch and delivery ----------------------------------------
    InvalidInvoiceNo = "INVALID_INVOICE_NO", UNPROCESSABLE_ENTITY,
        "The invoice number is not 1–64 letters, digits or `- / _ .`.";
    DuplicateInvoiceNo = "DUPLICATE_INVOICE_NO", CONFLICT,
        "The invoice number is already used by another order.";
    OrderNotInvoiced = "ORDER_NOT_INVOICED", CONFLICT,
        "The order has not been invoiced yet.";
    NegativeAmount = "NEGATIVE_AMOUNT", UNPROCESSABLE_ENTITY,
        "An amount or distance is negative.";
    InvalidDeliveryAgent = "INVALID_DELIVERY_AGENT", UNPROCESSABLE_ENTITY,
        "The delivery agent is not one active Delivery Team user.";
    InvalidEwayBill = "INVALID_EWAY_BILL", UNPROCESSABLE_ENTITY,
        "The e-way bill is not a 12-digit number.";
    InvalidOrderIds = "INVALID_ORDER_IDS", UNPROCESSABLE_ENTITY,
        "`orderIds` names too few or too many orders.";
    InvalidQuantities = "INVALID_QUANTITIES", UNPROCESSABLE_ENTITY,
        "Delivered quantities do not match the carried lines.";
    NothingDelivered = "NOTHING_DELIVERED", UNPROCESSABLE_ENTITY,
        "Nothing was accepted; use return-to-warehouse.";
    NothingReturned = "NOTHING_RETURNED", UNPROCESSABLE_ENTITY,
        "A part acceptance must leave something undelivered on some line; everything accepted is a delivery (`/deliver`).";
    NothingOutstanding = "NOTHING_OUTSTANDING", CONFLICT,
        "Every line was delivered in full: there is no backorder to re-attempt.";
    OtpRequired = "OTP_REQUIRED", UNPROCESSABLE_ENTITY,
        "The delivery OTP is required.";
    OtpInvalid = "OTP_INVALID", UNPROCESSABLE_ENTITY,
        "The delivery OTP is wrong (`details.attemptsLeft`).";
    OtpLocked = "OTP_LOCKED", TOO_MANY_REQUESTS,
        "Too many wrong OTPs for the order; an Admin must complete it with a bypass.";

    // ---- Stock transfers and clearance --------------------------------------------------
    SameWarehouse = "SAME_WAREHOUSE", UNPROCESSABLE_ENTITY,
        "A transfer's source and destination are the same warehouse.";
    NotAnStn = "NOT_AN_STN", CONFLICT,
        "Only stock transfers are received.";
    NotClearanceEligible = "NOT_CLEARANCE_ELIGIBLE", UNPROCESSABLE_ENTITY,
        "The batch is not eligible for clearance.";

    // ---- Files, imports and jobs ---------------------------------------------------------
    UnsupportedFileType = "UNSUPPORTED_FILE_TYPE", UNPROCESSABLE_ENTITY,
        "Only JPEG, PNG and PDF files are accepted.";
    FileTooLarge = "FILE_TOO_LARGE", PAYLOAD_TOO_LARGE,
        "The file is larger than allowed.";
    EmptyFile = "EMPTY_FILE", BAD_REQUEST,
        "The uploaded file is empty.";
    NoFile = "NO_FILE", BAD_REQUEST,
        "No file part was uploaded.";
    FileRequired = "FILE_REQUIRED", BAD_REQUEST,
        "Send the workbook as the multipart part `file`.";
    MalformedMultipart = "MALFORMED_MULTIPART", BAD_REQUEST,
        "The multipart body is malformed.";
    BadMultipart = "BAD_MULTIPART", BAD_REQUEST,
        "The bulk-order multipart body or its file part could not be read.";
    InvalidBase64 = "INVALID_BASE64", UNPROCESSABLE_ENTITY,
        "Base64 content (a photo, a bulk-order workbook) is not valid base64.";
    ImageRequired = "IMAGE_REQUIRED", UNPROCESSABLE_ENTITY,
        "`base64Image` is required.";
    NotAnXlsx = "NOT_AN_XLSX", UNPROCESSABLE_ENTITY,
        "The file is not an Excel workbook (.xlsx).";
    FolderNotAllowed = "FOLDER_NOT_ALLOWED", UNPROCESSABLE_ENTITY,
        "That upload folder is not allowed (`details.allowed`).";
    InvalidFileKey = "INVALID_FILE_KEY", UNPROCESSABLE_ENTITY,
        "That is not a valid file key.";
    FileNotFound = "FILE_NOT_FOUND", NOT_FOUND,
        "No such file.";
    FileUrlInvalid = "FILE_URL_INVALID", FORBIDDEN,
        "The signed file link is invalid or has expired.";
    FileStoreUnavailable = "FILE_STORE_UNAVAILABLE", SERVICE_UNAVAILABLE,
        "File storage is not available right now.";
    AttachmentNotALink = "ATTACHMENT_NOT_A_LINK", UNPROCESSABLE_ENTITY,
        "An attachment must be an uploaded file's link or key, not its contents.";
    ImportFailed = "IMPORT_FAILED", UNPROCESSABLE_ENTITY,
        "The import job did not finish.";
    JobNotFound = "JOB_NOT_FOUND", NOT_FOUND,
        "No such job, or not one of yours.";
    JobState = "JOB_STATE", CONFLICT,
        "The job's status does not allow this (`details.status`).";
    JobChanged = "JOB_CHANGED", CONFLICT,
        "The job changed while the request ran; reload it and try again.";
    ReportNotFound = "REPORT_NOT_FOUND", NOT_FOUND,
        "The job has no report.";

    // ---- Packaging ------------------------------------------------------------------------
    PackagingMaterialNotFound = "PACKAGING_MATERIAL_NOT_FOUND", NOT_FOUND,
        "No such packaging material.";
    InvalidName = "INVALID_NAME", UNPROCESSABLE_ENTITY,
        "The name is empty or too long.";
    InsufficientBalance = "INSUFFICIENT_BALANCE", BAD_REQUEST,
        "The material's balance cannot cover the outward movement.";

    // ---- Procurement ------------------------------------------------------------------------
    ProcurementNotFound = "PROCUREMENT_NOT_FOUND", NOT_FOUND,
        "No such procurement entry.";
    InvalidProcurementStatus = "INVALID_PROCUREMENT_STATUS", CONFLICT,
        "The entry is not in the status this action needs.";
    ProcurementLocked = "PROCUREMENT_LOCKED", CONFLICT,
        "The entry was submitted; its checks are locked.";
    ProcurementNotReady = "PROCUREMENT_NOT_READY", UNPROCESSABLE_ENTITY,
        "All checks and an attachment are needed before submission.";
    SegregationOfDuties = "SEGREGATION_OF_DUTIES", FORBIDDEN,
        "You cannot approve an entry you submitted yourself.";

    // ---- Performance (PMS) ---------------------------------------------------------------
    PmsRecordNotFound = "PMS_RECORD_NOT_FOUND", NOT_FOUND,
        "No performance record for that user and month.";
    KraNotFound = "KRA_NOT_FOUND", NOT_FOUND,
        "The record has no KRA with that id.";
    KrasRequired = "KRAS_REQUIRED", UNPROCESSABLE_ENTITY,
        "At least one KRA must be defined.";
    InvalidKra = "INVALID_KRA", UNPROCESSABLE_ENTITY,
        "A KRA has no name or a negative figure.";
    InvalidKraId = "INVALID_KRA_ID", UNPROCESSABLE_ENTITY,
        "A KRA id is not a positive number unique in the record.";
    WeightagesMustTotal100 = "WEIGHTAGES_MUST_TOTAL_100", UNPROCESSABLE_ENTITY,
        "The KRA weightages do not add up to 100.";
    InvalidSalary = "INVALID_SALARY", UNPROCESSABLE_ENTITY,
        "The salary is negative.";
    InvalidAchievedValue = "INVALID_ACHIEVED_VALUE", UNPROCESSABLE_ENTITY,
        "`achievedValue` is not a number of 0 or more.";
    InvalidOdBalance = "INVALID_OD_BALANCE", UNPROCESSABLE_ENTITY,
        "An OD balance is negative.";
    InvalidMonth = "INVALID_MONTH", UNPROCESSABLE_ENTITY,
        "The month is not like `Feb'26`.";

    // ---- Analytics, exports and audit ------------------------------------------------------
    InvalidPeriod = "INVALID_PERIOD", BAD_REQUEST,
        "Unknown period (`details.supported`).";
    InvalidReportType = "INVALID_REPORT_TYPE", BAD_REQUEST,
        "Unknown report type (`details.supported`).";
    InvalidExportType = "INVALID_EXPORT_TYPE", BAD_REQUEST,
        "Unknown export type (`details.supported`).";
    UnsupportedFormat = "UNSUPPORTED_FORMAT", BAD_REQUEST,
        "The export format is not supported for this export (`details.supported`).";

    // ---- Logistics ---------------------------------------------------------------------------
    UnknownVehicle = "UNKNOWN_VEHICLE", UNPROCESSABLE_ENTITY,
        "Unknown vehicle type (`details.supported`).";
    InvalidDistance = "INVALID_DISTANCE", UNPROCESSABLE_ENTITY,
        "The distance is out of range.";
    PlacesRequired = "PLACES_REQUIRED", UNPROCESSABLE_ENTITY,
        "Give origin and destination, or the distance in km.";
    UnknownPlace = "UNKNOWN_PLACE", UNPROCESSABLE_ENTITY,
        "A place could not be located; give the distance in km.";
    DistanceRequired = "DISTANCE_REQUIRED", UNPROCESSABLE_ENTITY,
        "Origin and destination are the same city; give the distance in km.";
    DistanceUnavailable = "DISTANCE_UNAVAILABLE", SERVICE_UNAVAILABLE,
        "No distance source is available right now; give the distance in km.";

    // ---- Attendance ------------------------------------------------------------------------------
    AlreadyCheckedIn = "ALREADY_CHECKED_IN", CONFLICT,
        "Already checked in today.";
    AlreadyCheckedOut = "ALREADY_CHECKED_OUT", CONFLICT,
        "Already checked out today.";
    NotCheckedIn = "NOT_CHECKED_IN", CONFLICT,
        "Not checked in yet today.";

    // ---- AI credit insight ---------------------------------------------------------------------
    IdsRequired = "IDS_REQUIRED", BAD_REQUEST,
        "Both the order id and the customer id are required.";
    CustomerOrderMismatch = "CUSTOMER_ORDER_MISMATCH", BAD_REQUEST,
        "The order is not for that customer.";
}

impl ErrorCode {
    /// The code with this wire string, if there is one.
    pub fn from_wire(s: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// `ORDER_NOT_FOUND` → `OrderNotFound`, the variant's name.
    fn camel(wire: &str) -> String {
        wire.split('_')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_string() + &c.as_str().to_lowercase())
                    .unwrap_or_default()
            })
            .collect()
    }

    #[test]
    fn every_code_has_a_distinct_wire_string_and_a_meaning() {
        let mut seen = HashSet::new();
        for &c in ErrorCode::ALL {
            let w = c.as_str();
            assert!(seen.insert(w), "{w} is used twice");
            assert!(
                w.len() >= 3
                    && w.starts_with(|ch: char| ch.is_ascii_uppercase())
                    && w.chars()
                        .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit() || ch == '_'),
                "{w} is not UPPER_SNAKE"
            );
            assert_eq!(
                format!("{c:?}"),
                camel(w),
                "variant and wire string disagree"
            );
            let m = c.meaning();
            assert!(
                m.len() > 10 && m.ends_with('.') && !m.contains('\n') && !m.contains('|'),
                "{w}: the meaning must be one sentence fit for a table cell: {m:?}"
            );
            assert!(
                c.status().is_client_error() || c.status().is_server_error(),
                "{w}: an error status"
            );
            assert_eq!(ErrorCode::from_wire(w), Some(c));
        }
        assert_eq!(seen.len(), ErrorCode::ALL.len());
        assert_eq!(ErrorCode::from_wire("NOPE"), None);
    }

    #[test]
    fn serialises_as_the_wire_string() {
        assert_eq!(
            serde_json::to_value(ErrorCode::OrderNotFound).unwrap(),
            serde_json::json!("ORDER_NOT_FOUND")
        );
        assert_eq!(
            ErrorCode::WeightagesMustTotal100.to_string(),
            "WEIGHTAGES_MUST_TOTAL_100"
        );
    }
}
