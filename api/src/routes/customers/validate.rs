//! The field checks customer writes share (create, update, credit): trimming and lengths, GSTIN,
//! PAN and e-mail, KYC document references and delivery addresses. Separate because three
//! sections use them and none owns them.

use crate::error::{ApiError, ErrorCode};
pub(super) use crate::routes::common::trimmed;
use crate::routes::uploads::blob_error;
use crate::state::AppState;
use nexus_core::blob::{BlobKey, LOCAL_URL_PREFIX};
use nexus_core::model::DeliveryAddress;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

pub(super) fn check_len(field: &'static str, v: &str, max: usize) -> Result<(), ApiError> {
    if v.chars().count() > max {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            format!("{field} is longer than {max} characters."),
        )
        .with_details(json!({ "field": field })));
    }
    Ok(())
}

/// GSTIN: 15 characters — state code (2 digits), PAN (5 letters, 4 digits, 1 letter), entity
/// number, `Z`, check character. Normalised to upper case.
pub(super) fn normalise_gstin(s: &str) -> Result<String, ApiError> {
    let g = s.trim().to_ascii_uppercase();
    let b = g.as_bytes();
    let ok = b.len() == 15
        && b[..2].iter().all(u8::is_ascii_digit)
        && normalise_pan(&g[2..12]).is_ok()
        && b[12].is_ascii_alphanumeric()
        && b[13] == b'Z'
        && b[14].is_ascii_alphanumeric();
    ok.then_some(g.clone()).ok_or_else(|| {
        ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            format!("`{g}` is not a GSTIN."),
        )
        .with_details(json!({ "field": "gst" }))
    })
}

/// PAN: 5 letters, 4 digits, 1 letter. Normalised to upper case.
pub(super) fn normalise_pan(s: &str) -> Result<String, ApiError> {
    let p = s.trim().to_ascii_uppercase();
    let b = p.as_bytes();
    let ok = b.len() == 10
        && b[..5].iter().all(u8::is_ascii_uppercase)
        && b[5..9].iter().all(u8::is_ascii_digit)
        && b[9].is_ascii_uppercase();
    ok.then_some(p.clone()).ok_or_else(|| {
        ApiError::unprocessable(ErrorCode::ValidationFailed, format!("`{p}` is not a PAN."))
            .with_details(json!({ "field": "pan" }))
    })
}

pub(super) fn check_email(s: &str) -> Result<String, ApiError> {
    let e = s.trim();
    let ok = e.len() <= 254
        && e.split_once('@')
            .is_some_and(|(u, d)| !u.is_empty() && d.contains('.') && !d.starts_with('.'))
        && !e.chars().any(char::is_whitespace);
    ok.then(|| e.to_string()).ok_or_else(|| {
        ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            "email is not an e-mail address.",
        )
        .with_details(json!({ "field": "email" }))
    })
}

/// Reads a KYC document reference: a blob key (`photos/01J….jpg`) or a URL this server
/// signed (`/api/files/photos/01J….jpg?exp=…`, possibly absolute). It must name an
/// uploaded photo; the key is what gets stored.
pub(super) async fn kyc_key(
    st: &AppState,
    field: &'static str,
    raw: &str,
) -> Result<String, ApiError> {
    let raw = raw.trim();
    let path = match raw.find(LOCAL_URL_PREFIX) {
        Some(i) => &raw[i + LOCAL_URL_PREFIX.len() + 1..],
        None => raw,
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let unknown = || {
        ApiError::unprocessable(
            ErrorCode::KycDocumentUnknown,
            format!("{field} does not refer to an uploaded document."),
        )
        .with_details(json!({ "field": field }))
    };
    let key = BlobKey::parse(path).map_err(|_| unknown())?;
    if key.top_folder() != "photos" {
        return Err(unknown());
    }
    match st.blobs.metadata(&key).await.map_err(blob_error)? {
        Some(_) => Ok(key.to_string()),
        None => Err(unknown()),
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddressInput {
    pub id: Option<String>,
    pub label: Option<String>,
    pub street: String,
    pub city: String,
    pub state: String,
    pub pincode: String,
    /// `Billing` or `Delivery` (default).
    #[serde(rename = "type")]
    pub address_type: Option<String>,
    #[serde(default)]
    pub is_default: bool,
}

pub(super) fn addresses(input: Vec<AddressInput>) -> Result<Vec<DeliveryAddress>, ApiError> {
    if input.len() > 20 {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            "At most 20 addresses.",
        ));
    }
    let defaults = input.iter().filter(|a| a.is_default).count();
    if defaults > 1 {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            "Only one address can be the default.",
        ));
    }
    input
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            let kind = a
                .address_type
                .as_deref()
                .map(str::trim)
                .unwrap_or("Delivery");
            let kind = match kind.to_ascii_lowercase().as_str() {
                "delivery" => "Delivery",
                "billing" => "Billing",
                _ => {
                    return Err(ApiError::unprocessable(
                        ErrorCode::ValidationFailed,
                        "Address type must be Billing or Delivery.",
                    )
                    .with_details(json!({ "field": format!("addresses[{i}].type") })));
                }
            };
            let pin = a.pincode.trim();
            if !(pin.len() == 6 && pin.bytes().all(|b| b.is_ascii_digit())) {
                return Err(ApiError::unprocessable(
                    ErrorCode::ValidationFailed,
                    "A PIN code has six digits.",
                )
                .with_details(json!({ "field": format!("addresses[{i}].pincode") })));
            }
            for (f, v) in [
                ("street", &a.street),
                ("city", &a.city),
                ("state", &a.state),
            ] {
                if v.trim().is_empty() {
                    return Err(ApiError::unprocessable(
                        ErrorCode::ValidationFailed,
                        format!("Address {f} is required."),
                    )
                    .with_details(json!({ "field": format!("addresses[{i}].{f}") })));
                }
                check_len("address", v, 300)?;
            }
            Ok(DeliveryAddress {
                id: a
                    .id
                    .and_then(|s| trimmed(&s))
                    .unwrap_or_else(|| format!("ADDR-{}", i + 1)),
                label: a.label.and_then(|s| trimmed(&s)).unwrap_or_default(),
                street: a.street.trim().into(),
                city: a.city.trim().into(),
                state: a.state.trim().into(),
                pincode: pin.into(),
                address_type: kind.into(),
                is_default: a.is_default,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tax_ids_are_checked_and_normalised() {
        assert_eq!(normalise_pan(" abcde1234f ").unwrap(), "ABCDE1234F");
        assert!(normalise_pan("ABCDE12345").is_err());
        assert_eq!(
            normalise_gstin("27abcde1234f1z5").unwrap(),
            "27ABCDE1234F1Z5"
        );
        assert!(normalise_gstin("27ABCDE1234F1X5").is_err());
        assert!(normalise_gstin("27ABCDE1234F1Z").is_err());
        assert!(check_email("a@b.co").is_ok());
        assert!(check_email("not-an-email").is_err());
        assert!(check_email("a b@c.d").is_err());
    }
}
