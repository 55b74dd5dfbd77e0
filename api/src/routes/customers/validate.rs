//! The field checks customer writes share (create, update, credit): trimming and lengths, GSTIN,
//! PAN and e-mail, KYC document references and delivery addresses. Separate because three
//! sections use them and none owns them.

use crate::error::{ApiError, ErrorCode};
pub(super) use crate::routes::common::trimmed;
pub(super) use crate::routes::numbers::de_opt_unsigned;
use crate::routes::uploads::blob_error;
use crate::state::AppState;
use nexus_core::blob::{BlobKey, LOCAL_URL_PREFIX};
use nexus_core::model::DeliveryAddress;
use nexus_core::types::Money;
use serde::Deserialize;
use serde_json::json;
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::schema::{ArrayBuilder, SchemaType, Type};
use utoipa::{PartialSchema, ToSchema};

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
    // ASCII first: the PAN inside is cut out by byte offsets.
    let ok = g.is_ascii()
        && b.len() == 15
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

/// The largest amount a customer's credit figures take (limit, balances, buckets): far above
/// any real figure, and small enough that sums over many customers and orders stay exact.
pub(super) use crate::routes::numbers::MAX_AMOUNT;

/// An amount within ±[`MAX_AMOUNT`] (and not negative unless `signed`), kept to the paisa.
pub(super) fn amount(field: &'static str, m: Money, signed: bool) -> Result<Money, ApiError> {
    if !signed && m.is_negative() {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            format!("{field} cannot be negative."),
        )
        .with_details(json!({ "field": field })));
    }
    if m.amount().abs() > rust_decimal::Decimal::from(MAX_AMOUNT) {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            format!("{field} must be at most {MAX_AMOUNT} in size."),
        )
        .with_details(json!({ "field": field })));
    }
    Ok(m.round2())
}

pub(super) use crate::routes::param_schemas::{at_least_one, with_keywords};

/// The delivery addresses of a customer: at most 20, at most one of them the default.
fn address_list_builder() -> ArrayBuilder {
    // `contains`/`maxContains` (JSON Schema 2020-12), which the builder has no setter for:
    // at most one address with `isDefault: true`.
    let one_default: Extensions = [
        (
            "contains",
            json!({ "type": "object", "required": ["isDefault"], "properties": { "isDefault": { "const": true } } }),
        ),
        ("minContains", json!(0)),
        ("maxContains", json!(1)),
    ]
    .into_iter()
    .collect();
    ArrayBuilder::new()
        .items(AddressInput::schema())
        .max_items(Some(20))
        .description(Some(
            "Delivery and billing addresses: at most 20, at most one with `isDefault: true`.",
        ))
        .extensions(Some(one_default))
}

/// [`address_list_builder`] as a field schema.
pub(super) fn address_list() -> ArrayBuilder {
    address_list_builder()
}

/// [`address_list_builder`] or `null` (a PATCH leaving the list as it is).
pub(super) fn address_list_or_null() -> ArrayBuilder {
    address_list_builder().schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddressInput {
    pub id: Option<String>,
    pub label: Option<String>,
    /// Not blank, at most 300 characters.
    #[schema(
        max_length = 300,
        pattern = r"[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
    )]
    pub street: String,
    #[schema(
        max_length = 300,
        pattern = r"[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
    )]
    pub city: String,
    #[schema(
        max_length = 300,
        pattern = r"[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
    )]
    pub state: String,
    /// Six digits.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[0-9]{6}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub pincode: String,
    /// `Billing` or `Delivery` (default).
    #[serde(rename = "type")]
    #[schema(value_type = Option<AddressType>, inline)]
    pub address_type: Option<String>,
    #[serde(default)]
    pub is_default: bool,
}

/// The two kinds of address (read in any case).
#[derive(ToSchema)]
#[allow(dead_code)] // Describes `AddressInput::address_type` for the OpenAPI document.
pub enum AddressType {
    Billing,
    Delivery,
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
