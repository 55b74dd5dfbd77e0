//! Content checks every upload shares: the accepted file types by magic bytes, the xlsx test,
//! the size and type refusals, blob-store errors as API errors, and client file names made
//! safe to record. Separate because photos, POD, imports and other areas (blob errors,
//! workbook checks) all use them.

use crate::error::{ApiError, Chain, ErrorCode};
use axum::http::StatusCode;
use nexus_core::blob::BlobError;

/// A file type the uploads accept, recognised by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FileKind {
    pub ext: &'static str,
    pub content_type: &'static str,
}

/// jpg, png or pdf by magic bytes (the legacy `ALLOWED_FILE_TYPES`, never enforced there).
pub(super) fn sniff(bytes: &[u8]) -> Option<FileKind> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(FileKind {
            ext: "jpg",
            content_type: "image/jpeg",
        })
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(FileKind {
            ext: "png",
            content_type: "image/png",
        })
    } else if bytes.starts_with(b"%PDF-") {
        Some(FileKind {
            ext: "pdf",
            content_type: "application/pdf",
        })
    } else {
        None
    }
}

pub(crate) const XLSX_CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An Office Open XML workbook: a zip (local file header `PK\3\4`) holding the package's
/// `[Content_Types].xml` and a `xl/workbook.xml` part. Entry names are stored uncompressed
/// in the zip headers, so this needs no unzipping; the worker parses the real content.
pub(crate) fn is_xlsx(bytes: &[u8]) -> bool {
    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }
    bytes.starts_with(b"PK\x03\x04")
        && contains(bytes, b"[Content_Types].xml")
        && contains(bytes, b"xl/workbook.xml")
}

pub(super) fn unsupported_type() -> ApiError {
    ApiError::unprocessable(
        ErrorCode::UnsupportedFileType,
        "Only JPEG, PNG and PDF files are accepted.",
    )
}

pub(super) fn too_large(max: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::FileTooLarge,
        format!("The file is larger than {} MiB.", max / (1024 * 1024)),
    )
}

pub(crate) fn blob_error(e: BlobError) -> ApiError {
    match e {
        BlobError::NotFound(_) => ApiError::not_found(ErrorCode::FileNotFound, "No such file."),
        BlobError::InvalidKey(_) => {
            ApiError::unprocessable(ErrorCode::InvalidFileKey, "That is not a valid file key.")
        }
        e @ BlobError::Unavailable(_) => {
            tracing::error!(error = %Chain(&e), "blob store failure");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::FileStoreUnavailable,
                "File storage is not available right now.",
            )
        }
    }
}

/// A client file name reduced to something safe to record (never used in a path).
pub(super) fn clean_file_name(name: Option<&str>) -> Option<String> {
    let cleaned: String = name?
        .rsplit(['/', '\\'])
        .next()?
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(120)
        .collect();
    (!cleaned.is_empty()).then_some(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content_not_name() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0rest").unwrap().ext, "jpg");
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest").unwrap().ext, "png");
        assert_eq!(sniff(b"%PDF-1.7").unwrap().ext, "pdf");
        assert!(sniff(b"<html><script>").is_none());
        assert!(sniff(b"GIF89a").is_none());
        assert!(sniff(b"").is_none());
    }

    #[test]
    fn xlsx_needs_the_package_parts() {
        assert!(!is_xlsx(b"PK\x03\x04just a zip"));
        assert!(is_xlsx(
            b"PK\x03\x04....[Content_Types].xml....xl/workbook.xml...."
        ));
        assert!(!is_xlsx(b"Customer ID,Name\n1,ABC"));
    }

    #[test]
    fn client_file_names_are_reduced() {
        assert_eq!(
            clean_file_name(Some("../../etc/passwd")).as_deref(),
            Some("passwd")
        );
        assert_eq!(
            clean_file_name(Some("C:\\x\\my photo.jpg")).as_deref(),
            Some("my_photo.jpg")
        );
        assert_eq!(clean_file_name(Some("")), None);
    }
}
