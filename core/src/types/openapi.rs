//! OpenAPI schemas of the value types, written by hand because each one serialises through
//! its own `Serialize` impl rather than a derive: they must say what those impls write
//! (numbers for amounts, fixed text forms for instants, dates and months), since the API's
//! document promises exactly that to its clients and the response tests hold it to it.

use super::{DateOnly, Money, Percent, PmsMonth, Quantity, Timestamp};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::{PartialSchema, ToSchema};

/// A string schema allowing exactly `values`: for enums whose `Serialize` writes a display
/// text (order statuses, roles, permissions) rather than a derived name.
pub(crate) fn string_enum(
    description: &str,
    values: impl IntoIterator<Item = &'static str>,
) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values))
        .into()
}

fn number(description: &str, example: serde_json::Value) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Number)
        .description(Some(description))
        .examples([example])
        .into()
}

fn text(description: &str, format: Option<KnownFormat>, example: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(format.map(SchemaFormat::KnownFormat))
        .description(Some(description))
        .examples([example])
        .into()
}

/// `serialize_decimal_number`: a plain JSON number (whole values as integers).
impl PartialSchema for Money {
    fn schema() -> RefOr<Schema> {
        number(
            "An amount in rupees, as a JSON number (whole amounts are written as integers).",
            serde_json::json!(1250.5),
        )
    }
}
impl ToSchema for Money {}

/// Written as a number of points (5 means 5 %).
impl PartialSchema for Percent {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Number)
            .description(Some(
                "A percentage in points (5 means 5 %), between 0 and 100.",
            ))
            .minimum(Some(0))
            .maximum(Some(100))
            .examples([serde_json::json!(5)])
            .into()
    }
}
impl ToSchema for Percent {}

/// Never negative (legacy negatives read as zero).
impl PartialSchema for Quantity {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Number)
            .description(Some(
                "A quantity in the line's unit (KG, PCS, PKT …), never negative; a JSON number.",
            ))
            .minimum(Some(0))
            .examples([serde_json::json!(12)])
            .into()
    }
}
impl ToSchema for Quantity {}

/// `Timestamp::to_iso`: RFC 3339 in UTC with milliseconds.
impl PartialSchema for Timestamp {
    fn schema() -> RefOr<Schema> {
        text(
            "An instant in UTC with milliseconds, as JavaScript's `toISOString` writes it.",
            Some(KnownFormat::DateTime),
            "2026-02-12T07:45:00.000Z",
        )
    }
}
impl ToSchema for Timestamp {}

/// `YYYY-MM-DD`.
impl PartialSchema for DateOnly {
    fn schema() -> RefOr<Schema> {
        text(
            "A calendar date, `YYYY-MM-DD`.",
            Some(KnownFormat::Date),
            "2026-06-01",
        )
    }
}
impl ToSchema for DateOnly {}

/// The legacy `Feb'26` key.
impl PartialSchema for PmsMonth {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("A PMS month in the legacy form `Mon'YY`."))
            .pattern(Some(
                "^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)'[0-9]{2}$",
            ))
            .examples(["Feb'26"])
            .into()
    }
}
impl ToSchema for PmsMonth {}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    /// The schemas describe what the `Serialize` impls write.
    #[test]
    fn schemas_match_the_serialised_forms() {
        let json = |s: RefOr<Schema>| serde_json::to_value(s).unwrap();
        let m = serde_json::to_value(Money::new(dec!(581.45))).unwrap();
        assert!(m.is_number());
        assert_eq!(json(Money::schema())["type"], "number");
        assert!(
            serde_json::to_value(Quantity::from_int(3))
                .unwrap()
                .is_number()
        );
        assert_eq!(json(Quantity::schema())["type"], "number");
        let t = serde_json::to_value(Timestamp::parse("2026-02-12").unwrap()).unwrap();
        assert!(t.is_string());
        assert_eq!(json(Timestamp::schema())["format"], "date-time");
        assert_eq!(json(DateOnly::schema())["format"], "date");
        let month = serde_json::to_value(PmsMonth::parse("2026-02").unwrap()).unwrap();
        assert_eq!(month, "Feb'26");
    }
}
