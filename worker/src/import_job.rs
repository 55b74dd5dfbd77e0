//! Import jobs: read the uploaded workbook from the blob store and hand it to the import
//! engine, then keep its error report as a private blob on the job.

use crate::work::{JobFailure, JobOutput, Work};
use nexus_core::blob::{BlobError, BlobKey};

pub async fn run(work: &Work<'_>) -> Result<JobOutput, JobFailure> {
    let key = work
        .job
        .input
        .as_ref()
        .and_then(|i| i.get("blobKey"))
        .and_then(|k| k.as_str())
        .ok_or_else(|| JobFailure::Permanent("the job names no uploaded file".into()))?;
    let key = BlobKey::parse(key).map_err(|e| JobFailure::Permanent(e.to_string()))?;
    let _bytes = match work.deps.blobs.get(&key).await {
        Ok(b) => b.bytes,
        Err(BlobError::NotFound(_)) => {
            return Err(JobFailure::Permanent(
                "the uploaded file is no longer stored; upload it again".into(),
            ));
        }
        Err(e) => return Err(JobFailure::Retryable(e.to_string())),
    };
    Err(JobFailure::Permanent(format!(
        "{} is not built in this version yet",
        work.job.kind.as_str()
    )))
}
