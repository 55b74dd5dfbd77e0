//! Schemas for text the server reads with its own parser, so the document can say exactly
//! what it accepts: a query value declared as a free string invites values the server then
//! refuses, which no client can know in advance (and Schemathesis reports as a broken
//! contract). Used through `#[param(value_type = …, inline)]` or `#[schema(value_type = …)]`.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    AnyOfBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type,
};
use utoipa::{PartialSchema, ToSchema};

fn string(format: KnownFormat) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(format)))
}

/// What `DateRange::parse` and `DateOnly::parse` take: `YYYY-MM-DD` (a whole IST day) or
/// an RFC 3339 instant.
pub struct DateOrInstant;

impl PartialSchema for DateOrInstant {
    fn schema() -> RefOr<Schema> {
        AnyOfBuilder::new()
            .item(string(KnownFormat::Date))
            .item(string(KnownFormat::DateTime))
            .description(Some(
                "A date `YYYY-MM-DD` (the whole IST day) or an RFC 3339 instant.",
            ))
            .into()
    }
}
impl ToSchema for DateOrInstant {}

/// A string schema allowing exactly `values` (query filters whose parser takes a fixed set).
pub fn one_of(values: &[&'static str]) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values.iter().copied()))
        .into()
}

/// A schema-only type for a query value read from a fixed set of words.
macro_rules! choices {
    ($(#[$doc:meta])* $name:ident = [$($v:literal),+ $(,)?]) => {
        $(#[$doc])*
        pub struct $name;
        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                one_of(&[$($v),+])
            }
        }
        impl ToSchema for $name {}
    };
}

choices!(
    /// `GET /api/analytics/reports?type=`.
    ReportType = ["sales", "inventory"]
);
choices!(
    /// `GET /api/analytics/export?type=` (the legacy `invoice_<id>` aside).
    ExportType = ["sales_report", "orders", "inventory"]
);
choices!(
    /// `GET /api/analytics/export?format=` (the legacy `excel` aside).
    ExportFormat = ["csv", "xlsx", "pdf"]
);

/// Text the server trims and then requires: at least one non-space character.
pub struct NonBlank;

impl PartialSchema for NonBlank {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(NOT_BLANK))
            .into()
    }
}
impl ToSchema for NonBlank {}

/// A blob key as the upload routes issue it (`photos/01J….jpg`): up to eight segments of
/// letters, digits, `.`, `_` and `-`, none starting with a dot.
pub struct BlobKeyText;

impl PartialSchema for BlobKeyText {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(
                "^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*){0,7}$",
            ))
            .max_length(Some(512))
            .examples(["photos/01J8Z6QW3V7M4K2N5P8R1T9X0Y.jpg"])
            .into()
    }
}
impl ToSchema for BlobKeyText {}

/// `schema` (an object) with JSON Schema keywords the builder has no setter for (`anyOf`,
/// `oneOf`, `contains` …) beside its properties.
pub(crate) fn with_keywords(
    schema: RefOr<Schema>,
    keywords: impl IntoIterator<Item = (&'static str, serde_json::Value)>,
) -> RefOr<Schema> {
    match schema {
        RefOr::T(Schema::Object(mut o)) => {
            let ext = o.extensions.get_or_insert_with(Default::default);
            for (k, v) in keywords {
                ext.insert(k.to_string(), v);
            }
            RefOr::T(Schema::Object(o))
        }
        other => other,
    }
}

/// Text with at least one character that is not white space (what the server's `trim`
/// leaves non-empty), written with explicit classes so every regex dialect reads it alike.
pub(crate) const NOT_BLANK: &str =
    r"[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";

/// `base` (an object) with at least one field that changes something: one of `non_null`
/// with a value other than `null`, or one of `any_value` with any value (there `null` clears
/// the field). Written as an `anyOf` beside the object's properties.
pub(crate) fn at_least_one(
    base: RefOr<Schema>,
    non_null: &[&str],
    any_value: &[&str],
) -> RefOr<Schema> {
    let mut given: Vec<serde_json::Value> = non_null
        .iter()
        .map(|f| {
            serde_json::json!({
                "required": [f],
                "properties": { *f: { "type": ["string", "number", "boolean", "object", "array"] } },
            })
        })
        .collect();
    given.extend(
        any_value
            .iter()
            .map(|f| serde_json::json!({ "required": [f] })),
    );
    with_keywords(base, [("anyOf", serde_json::Value::Array(given))])
}

/// An accepted quantity on a delivery line: from nothing to the largest line quantity a
/// booking takes (beyond it no decimal quantity can be read).
pub struct DeliveredQuantity;

impl PartialSchema for DeliveredQuantity {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Number)
            .minimum(Some(0.0))
            .maximum(Some(10_000_000.0))
            .into()
    }
}
impl ToSchema for DeliveredQuantity {}

#[cfg(test)]
mod tests {
    use super::NOT_BLANK;

    /// Schema attributes take only literal patterns, so the white-space class the server's
    /// `trim` strips is written out in many of them; this holds every copy in the document
    /// to the one in [`NOT_BLANK`], so a class that drifts fails here, not in a client.
    #[test]
    fn every_pattern_spells_white_space_like_not_blank() {
        let class = &NOT_BLANK[2..NOT_BLANK.len() - 1];
        let doc = String::from_utf8(crate::openapi::document_json().to_vec()).unwrap();
        let doc: serde_json::Value = serde_json::from_str(&doc).unwrap();
        let mut patterns = Vec::new();
        collect(&doc, &mut patterns);
        assert!(patterns.len() > 50, "{} patterns", patterns.len());
        for p in patterns {
            let mut rest = p.as_str();
            while let Some(at) = rest.find(r"\t-\r") {
                let open = rest[..at].rfind('[').expect("a class");
                let close = at + rest[at..].find(']').expect("a closed class");
                let inner = rest[open + 1..close].trim_start_matches('^');
                assert_eq!(inner, class, "pattern {p}");
                rest = &rest[close + 1..];
            }
        }
    }

    fn collect(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    match (k.as_str(), v) {
                        ("pattern", serde_json::Value::String(p)) => out.push(p.clone()),
                        _ => collect(v, out),
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| collect(v, out)),
            _ => {}
        }
    }
}
