use super::{Case, Who, allow};
use serde_json::json;

/// A 1×1-ish PNG header, base64: enough for the content check.
const PNG_B64: &str = "iVBORw0KGgoAAAANSUhEUg==";

pub fn cases() -> Vec<Case> {
    vec![
        // The QC folder needs quality_control; anyone may upload to the general folder
        // (covered by the behaviour tests).
        Case::post(
            "/api/upload-photo",
            allow(&["QC-001", "USER-001", "WHM-001"]).deny(&["SALES-001", "DRV-001", "CREDIT-001"]),
        )
        .body(json!({ "base64Image": PNG_B64, "fileName": "qc.png", "folder": "qc-photos" })),
        // Multipart: the table can only send JSON, so the allowed caller passes the
        // permission check and is then told to send multipart (415). The behaviour tests
        // upload real files.
        Case::post(
            "/api/upload/pod",
            allow(&["DRV-001", "HUB-001", "LOG-001", "USER-001"]).deny(&[
                "SALES-001",
                "WH-001",
                "CREDIT-001",
                "QC-001",
            ]),
        )
        .body(json!({}))
        .expect(415),
        // The signature is the credential: an unsigned or wrongly signed link is refused.
        Case::get("/api/files/{key}", Who::Public)
            .at("/api/files/photos/01JNOTSIGNED.png?exp=9999999999&sig=00")
            .expect(403),
    ]
}
