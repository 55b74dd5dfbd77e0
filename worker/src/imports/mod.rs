//! The import engine: one entry point, [`run_import`], for the four spreadsheet imports the
//! API queues (bulk orders, material master, customer / OD master, distributor prices).
//!
//! Every import reads its sheet by header names ([`sheet`]), parses cells in the forms the
//! old system's files hold ([`cells`]), validates each row, writes what is valid in chunks
//! and returns a summary plus, when any row was rejected, an error-report workbook
//! ([`report`]). A file that is not a workbook, has no sheet with the expected columns or no
//! data rows is refused as a whole ([`ImportError::Rejected`], not retried).
//!
//! Idempotency: master data are upserts keyed by the business key (a second run of the same
//! file reports everything "unchanged"); orders carry an import key (file hash + group) under
//! a unique index, so a re-upload or a retry after a crash never creates an order twice.

pub mod cells;
mod customers;
mod distributor_prices;
mod masters;
mod orders;
mod products;
pub mod report;
pub mod sheet;

use nexus_core::model::{JobKind, JobProgress};
use nexus_core::store::{Store, StoreError};
use nexus_core::types::Timestamp;

pub use orders::{CHUNK_ORDERS, RATE_BAND};

/// Who runs the import, on what, and when.
pub struct ImportContext<'a> {
    pub store: &'a dyn Store,
    /// The job record's id (stored on imported orders as `importJobId`, and in audit entries).
    pub job_id: &'a str,
    /// The user who uploaded the file (a user id); orders are booked as theirs.
    pub requested_by: &'a str,
    /// Hex SHA-256 of the uploaded bytes: the first half of every order's import key.
    pub file_sha256: &'a str,
    /// The run's clock: `createdAt`/`updatedAt` of what the import writes.
    pub now: Timestamp,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportOutcome {
    /// Counts in camelCase (`totalRows`, `created`, `updated`, `unchanged`, `rejected`,
    /// `ordersCreated`, `alreadyImported`, `orderIds` …); see each import for its fields.
    pub summary: serde_json::Value,
    /// The error-report workbook (.xlsx) when any row was rejected.
    pub report: Option<Vec<u8>>,
    /// Orders created by this run (bulk-order import only).
    pub created_order_ids: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file as a whole cannot be imported (not a workbook, wrong sheet, missing headers,
    /// no data rows, a requester who may not do this). The message is for the user;
    /// retrying the same file gives the same answer.
    #[error("{message}")]
    Rejected { code: &'static str, message: String },
    /// The store failed; a retry may succeed (what was committed stays, and the import is
    /// idempotent, so the retry finishes the job without duplicates).
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// `cancelled()` answered true between two chunks; what was committed stays.
    #[error("the import was cancelled")]
    Cancelled,
    /// A bug or an environment fault (e.g. the report could not be written).
    #[error("internal: {0}")]
    Internal(String),
}

impl ImportError {
    /// Whether the job runner should try again: store outages and lost races, not bad files.
    pub fn is_retryable(&self) -> bool {
        match self {
            ImportError::Store(e) => matches!(
                e,
                StoreError::Unavailable(_) | StoreError::Backend(_) | StoreError::Conflict(_)
            ),
            ImportError::Rejected { .. } | ImportError::Cancelled | ImportError::Internal(_) => {
                false
            }
        }
    }

    pub(crate) fn rejected(code: &'static str, message: impl Into<String>) -> Self {
        ImportError::Rejected {
            code,
            message: message.into(),
        }
    }
}

/// Runs one import. `progress` is called after each committed chunk (rows done of rows in
/// the sheet); `cancelled` is asked between chunks.
pub async fn run_import(
    kind: JobKind,
    ctx: &ImportContext<'_>,
    bytes: &[u8],
    progress: &(dyn Fn(JobProgress) + Send + Sync),
    cancelled: &(dyn Fn() -> bool + Send + Sync),
) -> Result<ImportOutcome, ImportError> {
    let hooks = Hooks {
        progress,
        cancelled,
    };
    tracing::info!(
        job = ctx.job_id,
        ?kind,
        bytes = bytes.len(),
        "import started"
    );
    let outcome = match kind {
        JobKind::BulkOrderImport => orders::import(ctx, bytes, &hooks).await,
        JobKind::ProductImport => masters::import::<products::ProductRow>(ctx, bytes, &hooks).await,
        JobKind::CustomerImport => {
            masters::import::<customers::CustomerRow>(ctx, bytes, &hooks).await
        }
        JobKind::DistributorPriceImport => {
            masters::import::<distributor_prices::PriceRow>(ctx, bytes, &hooks).await
        }
        other => Err(ImportError::rejected(
            "NOT_AN_IMPORT",
            format!("{other:?} is not an import job"),
        )),
    };
    match &outcome {
        Ok(o) => tracing::info!(job = ctx.job_id, summary = %o.summary, "import finished"),
        Err(e) => {
            tracing::warn!(job = ctx.job_id, error = %e, retryable = e.is_retryable(), "import stopped")
        }
    }
    outcome
}

/// What a quick look at a file finds, without touching the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    /// The sheet the import would read.
    pub sheet: String,
    /// Its header cells as written.
    pub headers: Vec<String>,
    /// Data rows (blank rows not counted).
    pub rows: usize,
}

/// Opens the workbook and finds the sheet and header `kind` needs, as [`run_import`] would:
/// the same `Rejected` errors for a wrong file, at no store cost (an upload can answer
/// "wrong file" at once; the bench times parsing with it).
pub fn inspect(kind: JobKind, bytes: &[u8]) -> Result<Inspection, ImportError> {
    use masters::MasterRow;
    let layout = match kind {
        JobKind::BulkOrderImport => orders::LAYOUT,
        JobKind::ProductImport => products::ProductRow::LAYOUT,
        JobKind::CustomerImport => customers::CustomerRow::LAYOUT,
        JobKind::DistributorPriceImport => distributor_prices::PriceRow::LAYOUT,
        other => {
            return Err(ImportError::rejected(
                "NOT_AN_IMPORT",
                format!("{other:?} is not an import job"),
            ));
        }
    };
    let sheet = sheet::open(bytes, &layout)?;
    let rows = sheet::require_rows(&sheet, &layout)?;
    Ok(Inspection {
        sheet: sheet.name.clone(),
        headers: sheet.headers.clone(),
        rows,
    })
}

/// The runner's callbacks, passed down together.
pub(crate) struct Hooks<'a> {
    progress: &'a (dyn Fn(JobProgress) + Send + Sync),
    cancelled: &'a (dyn Fn() -> bool + Send + Sync),
}

impl Hooks<'_> {
    pub(crate) fn progress(&self, done: usize, total: usize, message: impl Into<String>) {
        (self.progress)(JobProgress {
            done: done as u64,
            total: total as u64,
            message: Some(message.into()),
        });
    }

    /// `Err(Cancelled)` when the runner asked to stop.
    pub(crate) fn check(&self) -> Result<(), ImportError> {
        if (self.cancelled)() {
            Err(ImportError::Cancelled)
        } else {
            Ok(())
        }
    }
}
