//! Field rules for user administration: ids, e-mail, names and free text, org-chart slot keys
//! (domain.md §4.7) with the one-region rule, step-access maps (§4.5) and permission lists.
//! The legacy API validated almost none of this (any string became a role, any value a step
//! level, and the region rule lived only in the Flutter picker), so each rule here is the
//! server-side version of what the client used to assume.

use crate::error::ApiError;
pub(crate) use crate::routes::numbers::de_opt_unsigned;
use nexus_core::auth::{Access, Permission, Step};
use serde_json::json;
use std::collections::BTreeMap;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

// The request schemas say what these checks accept, so a client (and a property-based tester)
// can tell a valid request from the document alone; the request types of users, customers,
// products, prices, warehouses, packaging, procurement, PMS, GDPR and attendance spell their
// text rules the same way. The checks trim first (Rust's `str::trim`: Unicode White_Space)
// and then count and inspect what is left, so a pattern says both the characters and the
// length of the trimmed value (a `maxLength` on the whole value would refuse padding the
// server accepts). Classes are explicit rather than `\s`/`\S`, whose meaning differs between
// regex dialects:
//
// * WS  = `[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]` (White_Space),
//   NWS = the same class negated; P = `[^\x00-\x1f\x7f-\x9f]` (not `char::is_control`);
//   NSP = `[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]` (neither);
// * optional free text of at most N characters without control characters (`text`):
//   `^WS*P{0,N}WS*$`;
// * a required name of at most N (`name`): `^WS*NSP P{0,N-1}WS*$`;
// * not blank, at most N, controls allowed: `^WS*NWS[\s\S]{0,N-1}WS*$`; without a limit, `NWS`.

/// The largest amount (salary, target) a user record takes: far above any real figure, and
/// small enough that sums of many of them stay exact.
pub(crate) use crate::routes::numbers::MAX_AMOUNT;

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// A user id: what the admin types (production ids are often e-mail addresses, seed ids are
/// codes such as `SALES-001`). Letters, digits and `. _ @ + -`, at most 128 characters, so an
/// id is always safe in a path, a header (`Content-Disposition`) and a log line.
pub fn user_id(raw: &str) -> Result<String, ApiError> {
    let id = raw.trim();
    let ok = !id.is_empty()
        && id.len() <= 128
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '@' | '+' | '-'));
    if ok {
        Ok(id.to_string())
    } else {
        Err(ApiError::invalid(
            "id",
            "id must be 1-128 characters of letters, digits and . _ @ + -",
        ))
    }
}

/// An e-mail address, trimmed and lower-cased (login looks addresses up in lower case).
/// Deliberately simple: one `@`, a dotted domain, no spaces.
pub fn email(raw: &str) -> Result<String, ApiError> {
    let e = raw.trim().to_ascii_lowercase();
    let ok = e.len() <= 254
        && !e.chars().any(char::is_whitespace)
        && !has_control(&e)
        && match e.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
    if ok {
        Ok(e)
    } else {
        Err(ApiError::invalid(
            "email",
            "email is not a valid e-mail address",
        ))
    }
}

/// A display name: trimmed, 1-100 characters, no control characters.
pub fn name(raw: &str) -> Result<String, ApiError> {
    let n = raw.trim();
    if n.is_empty() || n.chars().count() > 100 || has_control(n) {
        return Err(ApiError::invalid(
            "name",
            "name must be 1-100 characters without control characters",
        ));
    }
    Ok(n.to_string())
}

/// Optional free text (location, departments, channel, address): trimmed, at most `max`
/// characters. An empty string means "clear the field" (`None`).
pub fn text(field: &str, raw: &str, max: usize) -> Result<Option<String>, ApiError> {
    let t = raw.trim();
    if t.chars().count() > max || has_control(t) {
        return Err(ApiError::invalid(
            field,
            format!("{field} must be at most {max} characters without control characters"),
        ));
    }
    Ok((!t.is_empty()).then(|| t.to_string()))
}

/// A phone number as the client sends it (`+91 98200 12345`): digits with `+ - ( )` and
/// spaces, 6-20 digits. Empty clears it.
pub fn phone(field: &str, raw: &str) -> Result<Option<String>, ApiError> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let digits = t.chars().filter(char::is_ascii_digit).count();
    let ok = t.len() <= 32
        && (6..=20).contains(&digits)
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '(' | ')' | ' '));
    if ok {
        Ok(Some(t.to_string()))
    } else {
        Err(ApiError::invalid(
            field,
            format!("{field} is not a phone number"),
        ))
    }
}

/// An amount or target: 0 to [`MAX_AMOUNT`].
pub fn amount(field: &str, d: rust_decimal::Decimal) -> Result<(), ApiError> {
    if d.is_sign_negative() && !d.is_zero() {
        return Err(ApiError::invalid(
            field,
            format!("{field} must not be negative"),
        ));
    }
    if d > rust_decimal::Decimal::from(MAX_AMOUNT) {
        return Err(ApiError::invalid(
            field,
            format!("{field} must be at most {MAX_AMOUNT}"),
        ));
    }
    Ok(())
}

/// Permission keys (§4.5): every key must be one of the 13, duplicates are dropped, order is
/// kept. Unknown keys are listed in the error (the legacy API answered 500).
pub fn permissions(raw: &[String]) -> Result<Vec<Permission>, ApiError> {
    let mut out = Vec::new();
    let mut unknown = Vec::new();
    for k in raw {
        match Permission::parse(k) {
            Some(p) if !out.contains(&p) => out.push(p),
            Some(_) => {}
            None => unknown.push(k.clone()),
        }
    }
    if unknown.is_empty() {
        Ok(out)
    } else {
        Err(
            ApiError::invalid("permissions", "unknown permission keys").with_details(json!({
                "field": "permissions",
                "unknown": unknown,
                "allowed": Permission::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
            })),
        )
    }
}

/// A step-access map (§4.5). Keys go through `Step::parse`, so the three legacy vocabularies
/// (`Placed Order`, `Book Order`, `order_booking`) all land on the canonical label the client's
/// tile check reads; values must be `full`, `view` or `no` (the legacy server stored any
/// string). Two keys naming the same step are refused rather than silently merged.
pub fn step_access(raw: &BTreeMap<String, String>) -> Result<BTreeMap<String, String>, ApiError> {
    let mut out = BTreeMap::new();
    let mut problems = Vec::new();
    for (k, v) in raw {
        let Some(step) = Step::parse(k) else {
            problems.push(json!({ "key": k, "problem": "unknown step" }));
            continue;
        };
        let level = match v.trim().to_ascii_lowercase().as_str() {
            "full" => Access::Full,
            "view" => Access::View,
            "no" => Access::None,
            _ => {
                problems.push(json!({ "key": k, "problem": "value must be full, view or no" }));
                continue;
            }
        };
        if out
            .insert(step.label().to_string(), level.as_str().to_string())
            .is_some()
        {
            problems.push(json!({ "key": k, "problem": "step given twice" }));
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(
            ApiError::invalid("stepAccess", "invalid step access").with_details(json!({
                "field": "stepAccess",
                "problems": problems,
                "steps": Step::ALL.iter().map(|s| s.label()).collect::<Vec<_>>(),
            })),
        )
    }
}

const REGIONS: [&str; 4] = ["north", "south", "east", "west"];
const SLOT_ZONES: [&str; 5] = ["north", "south", "east", "west", "all"];
const CHANNELS: [&str; 2] = ["retail", "horeca"];
const LEVELS: [&str; 3] = ["rsm", "asm", "sales"];

/// A parsed org-chart slot key (§4.7): `chairman`, `ceo`, `nsm_<channel>` or
/// `<level>_<zone>_<channel>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub key: String,
    /// `Some(region)` for a regional slot (`north|south|east|west`); national slots and the
    /// `all` zone are exempt from the one-region rule.
    pub region: Option<&'static str>,
}

impl Slot {
    pub fn parse(raw: &str) -> Result<Slot, ApiError> {
        let key = raw.trim().to_ascii_lowercase();
        let bad = || {
            ApiError::invalid(
                "slotKey",
                "slotKey must be chairman, ceo, nsm_<retail|horeca> or <rsm|asm|sales>_<north|south|east|west|all>_<retail|horeca>",
            )
        };
        let parts: Vec<&str> = key.split('_').collect();
        let region = match parts.as_slice() {
            ["chairman"] | ["ceo"] => None,
            ["nsm", ch] if CHANNELS.contains(ch) => None,
            [level, zone, ch]
                if LEVELS.contains(level) && SLOT_ZONES.contains(zone) && CHANNELS.contains(ch) =>
            {
                REGIONS.iter().find(|r| *r == zone).copied()
            }
            _ => return Err(bad()),
        };
        Ok(Slot { key, region })
    }

    /// Every regional slot key of the other regions: a user holding any of them may not take
    /// this slot. Used as a `Nin` guard so the rule holds atomically, not read-then-write.
    pub fn conflicting_keys(&self) -> Vec<String> {
        let Some(mine) = self.region else {
            return Vec::new();
        };
        let mut v = Vec::new();
        for r in REGIONS.iter().filter(|r| **r != mine) {
            for l in LEVELS {
                for c in CHANNELS {
                    v.push(format!("{l}_{r}_{c}"));
                }
            }
        }
        v
    }
}

/// Every slot key of the grammar, in its canonical (lower-case) spelling.
pub fn slot_keys() -> Vec<String> {
    let mut v = vec!["chairman".to_string(), "ceo".to_string()];
    v.extend(CHANNELS.iter().map(|c| format!("nsm_{c}")));
    for l in LEVELS {
        for z in SLOT_ZONES {
            for c in CHANNELS {
                v.push(format!("{l}_{z}_{c}"));
            }
        }
    }
    v
}

/// The schema of an org-chart slot key: the grammar's keys (the server also reads them in
/// any case and with surrounding spaces).
pub struct SlotKey;

impl PartialSchema for SlotKey {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "An org-chart slot: `chairman`, `ceo`, `nsm_<channel>` or `<rsm|asm|sales>_<north|south|east|west|all>_<retail|horeca>`.",
            ))
            .enum_values(Some(slot_keys()))
            .examples(["asm_west_retail"])
            .into()
    }
}
impl ToSchema for SlotKey {}

/// The schema of a step-access map: step label → `full` | `view` | `no`. Keys are the ten
/// step labels (the server also reads the legacy vocabularies, in any case).
pub struct StepAccessMap;

impl PartialSchema for StepAccessMap {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property_names(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(Step::ALL.iter().map(|s| s.label()))),
            ))
            .additional_properties(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(["full", "view", "no"])),
            ))
            .examples([json!({"Credit Approval": "view", "QC": "full"})])
            .into()
    }
}
impl ToSchema for StepAccessMap {}

/// The regions of the regional slots a user holds (unparseable legacy keys are ignored).
pub fn held_regions(slots: &[String]) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = slots
        .iter()
        .filter_map(|s| Slot::parse(s).ok().and_then(|s| s.region))
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_grammar() {
        for ok in [
            "chairman",
            "CEO",
            "nsm_retail",
            "rsm_west_horeca",
            "asm_all_retail",
            "sales_north_retail",
        ] {
            assert!(Slot::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "nsm",
            "nsm_west",
            "rsm_central_retail",
            "md_west_retail",
            "sales_west_retail_x",
            "rsm__retail",
        ] {
            assert!(Slot::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Slot::parse("rsm_west_retail").unwrap().region, Some("west"));
        assert_eq!(Slot::parse("asm_all_retail").unwrap().region, None);
    }

    #[test]
    fn conflicts_are_the_other_regions_only() {
        let s = Slot::parse("asm_west_retail").unwrap();
        let c = s.conflicting_keys();
        assert_eq!(c.len(), 3 * 3 * 2);
        assert!(c.contains(&"sales_north_horeca".to_string()));
        assert!(!c.iter().any(|k| k.contains("west") || k.contains("all")));
        assert!(
            Slot::parse("nsm_retail")
                .unwrap()
                .conflicting_keys()
                .is_empty()
        );
    }

    #[test]
    fn step_access_normalises_keys_and_refuses_bad_values() {
        let m: BTreeMap<String, String> = [("Book Order", "FULL"), ("qc", "view")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let out = step_access(&m).unwrap();
        assert_eq!(out.get("Placed Order").map(String::as_str), Some("full"));
        assert_eq!(out.get("QC").map(String::as_str), Some("view"));
        let bad: BTreeMap<String, String> = [("QC", "maybe")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert!(step_access(&bad).is_err());
        let twice: BTreeMap<String, String> = [("Book Order", "full"), ("Placed Order", "no")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert!(step_access(&twice).is_err());
    }

    #[test]
    fn ids_emails_and_phones() {
        assert_eq!(user_id(" SALES-009 ").unwrap(), "SALES-009");
        assert!(user_id("a b").is_err());
        assert!(user_id("x\"y").is_err());
        assert_eq!(email(" A.B@Example.COM ").unwrap(), "a.b@example.com");
        assert!(email("nobody").is_err());
        assert!(email("a@b").is_err());
        assert_eq!(
            phone("whatsappNumber", "+91 98200 12345")
                .unwrap()
                .as_deref(),
            Some("+91 98200 12345")
        );
        assert!(phone("whatsappNumber", "call me").is_err());
        assert_eq!(phone("whatsappNumber", "").unwrap(), None);
        assert!(permissions(&["view_orders".into(), "fly".into()]).is_err());
        assert_eq!(
            permissions(&["view_orders".into(), "view_orders".into()])
                .unwrap()
                .len(),
            1
        );
    }
}
