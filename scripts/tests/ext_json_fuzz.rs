//! Fuzzing the extended-JSON conversion (`src/ext_json.rs`), which reads whatever an
//! operator feeds `nexus-admin import` (issue #11 item 6), with proptest:
//!
//! * every stored document survives an export and an import unchanged:
//!   `from_extended(to_extended(v)) == v`, for documents as the store holds them (dates as
//!   canonical timestamp text, no one-key object named like a converting wrapper);
//! * `from_extended` on any JSON, including malformed `$date` / `$numberLong` / `$numberInt` /
//!   `$numberDouble` / `$numberDecimal` wrappers, never panics: it gives a document that no
//!   longer holds a wrapper (converting it again changes nothing), or an error that names
//!   where the bad wrapper is;
//! * each wrapper reads as mongoexport means it.
//!
//! `nexus-admin` is a binary without a library target, so the module is compiled into this
//! test from its source file, as the binary compiles it (its own unit tests run here too).
//!
//! Every property runs a fixed number of cases from a fixed seed (`config`), with no failure
//! files: a run is repeatable and bounded. Measured with `time` on the debug test binary of
//! `cargo test -p nexus-admin --all-features --test ext_json_fuzz` on a two-core machine:
//! under 3 s of wall and CPU time, well inside a 30 s budget. The case counts below were
//! chosen for that.

#[path = "../src/ext_json.rs"]
mod ext_json;

use ext_json::{ExtJsonError, from_extended, to_extended};
use nexus_core::types::Timestamp;
use nexus_tests::fuzz::config;
use proptest::prelude::*;
use serde_json::{Map, Number, Value, json};

/// The one-key wrappers an import converts to plain values (`$oid` and the rarer types are
/// kept as they are).
const CONVERTING: [&str; 5] = [
    "$date",
    "$numberLong",
    "$numberInt",
    "$numberDouble",
    "$numberDecimal",
];

/// 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the instants whose canonical text
/// has a four-digit year.
const FIRST_MS: i64 = -62_167_219_200_000;
const LAST_MS: i64 = 253_402_300_799_999;

fn canonical_text() -> impl Strategy<Value = String> {
    prop_oneof![
        FIRST_MS..=LAST_MS,
        // The years the data actually hold.
        1_577_836_800_000i64..1_893_456_000_000,
    ]
    .prop_map(|ms| {
        Timestamp::from_millis(ms)
            .map(Timestamp::to_iso)
            .unwrap_or_default()
    })
}

/// Text shaped like a timestamp with each field over its range (month 13, hour 24, …),
/// and the near misses the export must leave alone (no milliseconds, an offset, a date).
/// The second runs to 59 only: see `leap_second_text_round_trips_unchanged` for 60.
fn timestamp_like() -> impl Strategy<Value = String> {
    (
        (0u32..10_000, 0u32..14, 0u32..33),
        (0u32..26, 0u32..61, 0u32..60, 0u32..1_000),
        prop::sample::select(vec!["Z", "z", "+00:00", "+05:30", ""]),
        0u8..4,
    )
        .prop_map(|((y, mo, d), (h, mi, s, ms), zone, shape)| match shape {
            0 => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z"),
            1 => format!("{y:04}-{mo:02}-{d:02}"),
            2 => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}{zone}"),
            _ => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z"),
        })
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("not finite", |f| Number::from_f64(f).map(Value::Number)),
        any::<String>().prop_map(Value::String),
        canonical_text().prop_map(Value::String),
        timestamp_like().prop_map(Value::String),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "\\PC{0,8}",
        1 => prop::sample::select(vec![
            "$date", "$numberLong", "$numberInt", "$numberDouble", "$numberDecimal", "$oid",
            "$binary", "$regex", "$", "_id", "createdAt",
        ])
        .prop_map(String::from),
    ]
}

/// Any JSON value, bounded: at most 4 levels deep, about 64 nodes, 6 items per container.
/// With `stored`, shaped as the store holds documents: a one-key object is never named
/// like a converting wrapper (the store has no such objects: its dates are text and its
/// numbers plain).
fn json(stored: bool) -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..6).prop_map(move |m| {
                let mut m: Map<String, Value> = m.into_iter().collect();
                if stored && m.len() == 1 {
                    let k = m.keys().next().cloned().unwrap_or_default();
                    if CONVERTING.contains(&k.as_str())
                        && let Some(v) = m.remove(&k)
                    {
                        m.insert(format!("_{k}"), v);
                    }
                }
                Value::Object(m)
            }),
        ]
    })
}

/// A converting wrapper holding anything: what a hand-edited or foreign export may carry.
fn wrapper() -> impl Strategy<Value = Value> {
    let inner = prop_oneof![
        3 => "[-+]?[0-9]{0,20}(\\.[0-9]{0,6})?([eE][-+]?[0-9]{1,3})?".prop_map(Value::String),
        1 => prop::sample::select(vec![
            "NaN", "inf", "-inf", "Infinity", "1e400", "-0", "0x10", " 5", "5 ", "", "1_000",
            "9223372036854775807", "9223372036854775808", "-9223372036854775809",
        ])
        .prop_map(|s| Value::String(s.into())),
        2 => canonical_text().prop_map(Value::String),
        2 => timestamp_like().prop_map(Value::String),
        1 => any::<i64>().prop_map(Value::from),
        // Epoch millis to chrono's ends (about ±262,000 years) and a little past them.
        2 => (-8_300_000_000_000_000i64..8_300_000_000_000_000).prop_map(Value::from),
        1 => (FIRST_MS..=LAST_MS).prop_map(Value::from),
        1 => (FIRST_MS..=LAST_MS).prop_map(|ms| json!({ "$numberLong": ms.to_string() })),
        1 => "\\PC{0,12}".prop_map(|s| json!({ "$numberLong": s })),
        2 => json(false),
    ];
    (prop::sample::select(CONVERTING.to_vec()), inner).prop_map(|(k, v)| json!({ k: v }))
}

/// A path step into a document, and the wrapper's expected place in an error.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    /// Index, and how many (fine) items follow.
    Index(usize, usize),
}

/// `bad` placed at `steps` inside a stored document, with stored siblings around it.
fn embed(bad: Value, steps: &[Step], siblings: &[Value]) -> (Value, String) {
    let mut path = "$".to_string();
    for s in steps {
        match s {
            Step::Key(k) => path.push_str(&format!(".{k}")),
            Step::Index(i, _) => path.push_str(&format!("[{i}]")),
        }
    }
    let mut v = bad;
    let mut fill = siblings.iter().cycle();
    for s in steps.iter().rev() {
        v = match s {
            Step::Key(k) => {
                let mut m = Map::new();
                for (j, x) in fill.by_ref().take(2).enumerate() {
                    m.insert(format!("sibling{j}"), x.clone());
                }
                m.insert(k.clone(), v);
                Value::Object(m)
            }
            Step::Index(i, after) => {
                let mut items: Vec<Value> = fill.by_ref().take(*i).cloned().collect();
                items.resize(*i, Value::Null);
                items.push(v);
                items.extend(fill.by_ref().take(*after).cloned());
                Value::Array(items)
            }
        };
    }
    (v, path)
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        "\\PC{0,6}"
            .prop_filter("a converting wrapper's name", |k| {
                !CONVERTING.contains(&k.as_str())
            })
            .prop_map(Step::Key),
        (0usize..4, 0usize..3).prop_map(|(i, after)| Step::Index(i, after)),
    ]
}

/// Whether a converted value still holds a converting wrapper anywhere.
fn holds_wrapper(v: &Value) -> bool {
    match v {
        Value::Array(items) => items.iter().any(holds_wrapper),
        Value::Object(m) => {
            (m.len() == 1 && m.keys().all(|k| CONVERTING.contains(&k.as_str())))
                || m.values().any(holds_wrapper)
        }
        _ => false,
    }
}

fn error_is_typed(e: &ExtJsonError) -> bool {
    e.path.starts_with('$') && !e.message.trim().is_empty()
}

proptest! {
    // 1,000 cases each, documents of up to ~64 nodes: about 3 s for the five (1.5 s of it
    // in `errors_name_the_bad_wrapper`, which builds a document around every wrapper).
    #![proptest_config(config(1_000, 0x6578_745f_6a73_6f6e))]

    /// An export and an import give back the stored document exactly.
    #[test]
    fn stored_documents_round_trip(doc in json(true)) {
        let ext = to_extended(&doc);
        let back = from_extended(ext.clone());
        prop_assert!(back.is_ok(), "{ext} -> {back:?}");
        prop_assert_eq!(back.ok(), Some(doc));
    }

    /// Canonical timestamps leave as `$date` and come back as the same text; anything else
    /// (including near misses) is data and left alone.
    #[test]
    fn only_canonical_text_becomes_a_date(text in prop_oneof![canonical_text(), timestamp_like()]) {
        let ext = to_extended(&Value::String(text.clone()));
        if Timestamp::is_canonical(&text) {
            prop_assert_eq!(&ext, &json!({ "$date": text }));
        } else {
            prop_assert_eq!(&ext, &Value::String(text.clone()));
        }
        prop_assert_eq!(from_extended(ext).ok(), Some(Value::String(text)));
    }

    /// Any JSON at all: a converted document without wrappers (converting it again changes
    /// nothing), or a typed error.
    #[test]
    fn any_json_converts_or_is_refused(v in prop_oneof![json(false), wrapper()]) {
        match from_extended(v.clone()) {
            Ok(out) => {
                prop_assert!(!holds_wrapper(&out), "{v} -> {out}");
                prop_assert_eq!(from_extended(out.clone()).ok(), Some(out));
            }
            Err(e) => prop_assert!(error_is_typed(&e), "{e:?}"),
        }
    }

    /// A wrapper reads as mongoexport means it, or is refused; never half-read.
    #[test]
    fn wrappers_read_as_meant(w in wrapper()) {
        let (k, inner) = match &w {
            Value::Object(m) => m
                .iter()
                .next()
                .map(|(k, v)| (k.clone(), v.clone()))
                .unwrap_or_default(),
            _ => unreachable!("wrapper() makes objects"),
        };
        let out = from_extended(w.clone());
        if let Err(e) = &out {
            prop_assert!(error_is_typed(e), "{e:?}");
            prop_assert_eq!(e.path.as_str(), "$");
        }
        let text = inner.as_str();
        match k.as_str() {
            "$numberLong" | "$numberInt" => {
                let want = text.and_then(|s| s.parse::<i64>().ok()).map(Value::from);
                prop_assert_eq!(out.ok(), want, "{}", w);
            }
            "$numberDouble" | "$numberDecimal" => {
                let want = text.and_then(|s| {
                    s.parse::<i64>().ok().map(Value::from).or_else(|| {
                        s.parse::<f64>().ok().and_then(Number::from_f64).map(Value::Number)
                    })
                });
                prop_assert_eq!(out.ok(), want, "{}", w);
            }
            _ => {
                // A date holds an instant: epoch millis, timestamp text, or `$numberLong`.
                let instant = match &inner {
                    Value::Number(n) => n.as_i64(),
                    Value::String(s) => Timestamp::parse(s).ok().map(Timestamp::millis),
                    Value::Object(o) => o
                        .get("$numberLong")
                        .and_then(Value::as_str)
                        .and_then(|s| s.parse::<i64>().ok()),
                    _ => None,
                }
                .and_then(Timestamp::from_millis)
                // Past years 0000–9999 an instant is refused (see
                // `far_dates_are_refused_not_imported_as_unreadable_text`).
                .filter(|i| (FIRST_MS..=LAST_MS).contains(&i.millis()));
                prop_assert_eq!(out.is_ok(), instant.is_some(), "{} -> {:?}", w, out);
                // It comes back as the canonical text of that instant, which reads back as
                // the same instant.
                if let (Ok(t), Some(i)) = (&out, instant)
                    && (FIRST_MS..=LAST_MS).contains(&i.millis())
                {
                    prop_assert_eq!(t, &Value::String(i.to_iso()));
                    let text = t.as_str().unwrap_or_default();
                    prop_assert!(Timestamp::is_canonical(text), "{}", text);
                    prop_assert_eq!(Timestamp::parse(text).ok(), Some(i));
                }
            }
        }
    }

    /// A bad wrapper deep in a document is refused with its own path.
    #[test]
    fn errors_name_the_bad_wrapper(
        bad in prop::sample::select(vec![
            json!({"$date": "yesterday"}),
            json!({"$date": true}),
            json!({"$date": 1.5}),
            json!({"$date": {"$numberLong": "x"}}),
            json!({"$numberLong": "1.5"}),
            json!({"$numberInt": 5}),
            json!({"$numberDouble": "NaN"}),
            json!({"$numberDecimal": "1e400"}),
        ]),
        steps in prop::collection::vec(step(), 0..4),
        siblings in prop::collection::vec(json(true), 1..4),
    ) {
        let (doc, path) = embed(bad, &steps, &siblings);
        let e = from_extended(doc.clone());
        prop_assert!(e.is_err(), "{doc}");
        if let Err(e) = e {
            prop_assert_eq!(&e.path, &path, "{}", doc);
            prop_assert!(!e.message.trim().is_empty());
        }
    }
}

/// Found by this suite (fixed): an instant past 9999-12-31 (or before year 0) in a `$date` imports as text the
/// store cannot read as a timestamp: `{"$date": 253402300800000}` (10000-01-01, which
/// mongoexport writes for a BSON date that far out) becomes `"+10000-01-01T00:00:00.000Z"`,
/// which `Timestamp::parse` refuses, so the imported document then fails to load. It should
/// be refused at import with the path, like any other unreadable date.
#[test]
fn far_dates_are_refused_not_imported_as_unreadable_text() {
    for ms in [LAST_MS + 1, FIRST_MS - 1] {
        match from_extended(json!({ "d": { "$date": ms } })) {
            Ok(doc) => {
                let text = doc["d"].as_str().unwrap_or_default();
                assert!(Timestamp::parse(text).is_ok(), "{ms} imported as {text:?}");
            }
            Err(e) => assert_eq!(e.path, "$.d"),
        }
    }
}

/// Found by this suite (fixed): text with a leap second in the canonical shape (`2016-12-31T23:59:60.000Z`) passes
/// `Timestamp::is_canonical`, so an export writes it as a `$date`, and the import gives back
/// the next second's text (`2017-01-01T00:00:00.000Z`): the stored value changes.
#[test]
fn leap_second_text_round_trips_unchanged() {
    let doc = json!({ "note": "2016-12-31T23:59:60.000Z" });
    assert_eq!(from_extended(to_extended(&doc)).ok(), Some(doc));
}
