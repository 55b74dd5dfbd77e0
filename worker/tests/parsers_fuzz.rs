//! Fuzzing the spreadsheet importers, the parsers that read whatever a user uploads (issue #11
//! item 6), with proptest:
//!
//! * arbitrary bytes, and byte-level mutations (bit flips, overwrites, insertions, removals,
//!   truncation) of the old system's own workbooks, never panic: every kind of import either
//!   reads the file or refuses it with a typed `ImportError::Rejected` and a known code; a
//!   mutated file that still opens is imported with every row accounted for;
//! * `cells::parse_number_text` never panics on any text, and reads back every number written
//!   the way the ERP's exports write them (padding, `₹`/`Rs`/`INR`, Western or Indian comma
//!   grouping, `%`, parentheses for negatives);
//! * the other cell readers keep their promises on any cell value;
//! * generated bulk-order sheets with arbitrary cells (columns in any order, header anywhere
//!   in the first rows): every row is imported or reported with its own row number, none is
//!   lost, and the report can be uploaded again.
//!
//! Every property runs a fixed number of cases from a fixed seed (`config`), with no failure
//! files: a run is repeatable and bounded. Measured with `time` on the debug test binary of
//! `cargo test -p nexus-worker --all-features --test parsers_fuzz` on a two-core machine: 3 s
//! of wall time (5 s of CPU; up to 6 s wall while other builds run), well inside a 30 s
//! budget. The case counts below were chosen for that.
//!
//! The fixtures in `tests/fixtures/fuzz/` are byte-for-byte copies of five of the upstream
//! workbooks (`<root>/work/shared/fixtures/upstream`, see its README), kept here so the
//! corpus travels with the test.
//!
//! Faults found while writing this:
//! * a date-formatted number cell far outside Excel's calendar panicked `cells::text` (and so
//!   `inspect` and every import, even in a header row); fixed, held by `far_date_serial_*`;
//! * a cell at a far corner (`XFD1048576`) of an otherwise tiny workbook made calamine
//!   allocate the whole grid (512 GiB) and the process aborted; the sheet reader now refuses
//!   a sheet spanning more than `MAX_SHEET_CELLS` (`SHEET_TOO_LARGE`), held by
//!   `a_stray_far_cell_is_refused_not_allocated`.

mod support;

use calamine::{CellErrorType, Data, ExcelDateTime, ExcelDateTimeType};
use nexus_core::model::{JobKind, Order};
use nexus_core::store::{Filter, SqliteStore, TypedStore};
use nexus_tests::fuzz::config;
use nexus_tests::workbook::HEADERS;
use nexus_worker::imports::cells;
use nexus_worker::{ImportError, Inspection, inspect};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{TestCaseError, TestRunner};
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, Workbook};
use std::collections::{BTreeSet, HashMap};
use support::{report_rows, run};

/// The four imports the API queues.
const IMPORTS: [JobKind; 4] = [
    JobKind::BulkOrderImport,
    JobKind::ProductImport,
    JobKind::CustomerImport,
    JobKind::DistributorPriceImport,
];

/// The codes a whole file may be refused with before the store is touched.
const FILE_REFUSALS: [&str; 3] = ["NOT_A_WORKBOOK", "WRONG_SHEET", "NO_DATA_ROWS"];

/// A fixture, the import it belongs to, and what `inspect` finds in it as shipped
/// (`None`: refused with `NO_DATA_ROWS`).
struct Fixture {
    name: &'static str,
    bytes: &'static [u8],
    kind: JobKind,
    rows: Option<usize>,
}

const FIXTURES: [Fixture; 5] = [
    Fixture {
        name: "Template_Material_Master.xlsx",
        bytes: include_bytes!("fixtures/fuzz/Template_Material_Master.xlsx"),
        kind: JobKind::ProductImport,
        rows: Some(1),
    },
    Fixture {
        name: "backend_test_data.xlsx",
        bytes: include_bytes!("fixtures/fuzz/backend_test_data.xlsx"),
        kind: JobKind::ProductImport,
        rows: Some(3),
    },
    Fixture {
        name: "Template_Customer_OD_Master.xlsx",
        bytes: include_bytes!("fixtures/fuzz/Template_Customer_OD_Master.xlsx"),
        kind: JobKind::CustomerImport,
        rows: Some(1),
    },
    Fixture {
        name: "Template_Distributor_Price.xlsx",
        bytes: include_bytes!("fixtures/fuzz/Template_Distributor_Price.xlsx"),
        kind: JobKind::DistributorPriceImport,
        rows: Some(1),
    },
    Fixture {
        name: "flutter_temp_template.xlsx",
        bytes: include_bytes!("fixtures/fuzz/flutter_temp_template.xlsx"),
        kind: JobKind::CustomerImport,
        rows: None,
    },
];

/// `inspect` answered as it promises: a sheet with a header and data rows, or a refusal of
/// the whole file with a known code and a message for the user. Never another error.
fn check_inspection(
    kind: JobKind,
    result: &Result<Inspection, ImportError>,
) -> Result<(), TestCaseError> {
    match result {
        Ok(i) => {
            prop_assert!(i.rows > 0, "{kind:?}: an inspection with no rows");
            prop_assert!(
                !i.headers.is_empty(),
                "{kind:?}: an inspection with no header"
            );
        }
        Err(ImportError::Rejected { code, message }) => {
            prop_assert!(FILE_REFUSALS.contains(code), "{kind:?}: code {code}");
            prop_assert!(!message.trim().is_empty());
        }
        Err(other) => prop_assert!(false, "{kind:?}: untyped refusal {other:?}"),
    }
    Ok(())
}

/// A store shared by the cases of one property (each uploaded file has its own hash, so the
/// imports do not step on each other), on a runtime the property drives.
struct Shared {
    runtime: tokio::runtime::Runtime,
    store: SqliteStore,
    _dir: tempfile::TempDir,
}

fn shared() -> Shared {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (dir, store) = runtime.block_on(async {
        let (dir, store) = support::store().await;
        support::seed_bulk_masters(&store).await;
        (dir, store)
    });
    Shared {
        runtime,
        store,
        _dir: dir,
    }
}

/// Runs `test` on `cases` inputs from `strategy`; a failure panics with the shrunk input.
fn check_all<S: Strategy>(
    cases: u32,
    seed: u64,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let mut runner = TestRunner::new(config(cases, seed));
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{e}");
    }
}

// ---------------------------------------------------------------------------------------
// Whole files: arbitrary bytes and mutated fixtures.

#[test]
fn the_fixtures_inspect_as_their_import() {
    for f in &FIXTURES {
        match (inspect(f.kind, f.bytes), f.rows) {
            (Ok(i), Some(rows)) => assert_eq!(i.rows, rows, "{}", f.name),
            (Err(ImportError::Rejected { code, .. }), None) => {
                assert_eq!(code, "NO_DATA_ROWS", "{}", f.name)
            }
            (other, _) => panic!("{}: {other:?}", f.name),
        }
    }
}

/// Where a mutation lands: anywhere, or in the two places a zip reader parses structure
/// (the first local header, and the central directory with its end record at the tail).
#[derive(Debug, Clone)]
enum At {
    Anywhere(Index),
    Head(usize),
    Tail(usize),
}

impl At {
    fn resolve(&self, len: usize) -> usize {
        match self {
            At::Anywhere(i) => i.index(len.max(1)),
            At::Head(i) => (*i).min(len),
            At::Tail(i) => len.saturating_sub(*i),
        }
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: At, bit: u8 },
    Set { at: At, byte: u8 },
    Insert { at: At, bytes: Vec<u8> },
    Remove { at: At, len: usize },
    Truncate { at: At },
}

fn at() -> impl Strategy<Value = At> {
    prop_oneof![
        2 => any::<Index>().prop_map(At::Anywhere),
        1 => (0usize..64).prop_map(At::Head),
        1 => (1usize..600).prop_map(At::Tail),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (at(), 0u8..8).prop_map(|(at, bit)| Mutation::Flip { at, bit }),
        2 => (at(), any::<u8>()).prop_map(|(at, byte)| Mutation::Set { at, byte }),
        1 => (at(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        1 => (at(), 1usize..64).prop_map(|(at, len)| Mutation::Remove { at, len }),
        1 => at().prop_map(|at| Mutation::Truncate { at }),
    ]
}

fn mutate(bytes: &mut Vec<u8>, m: &Mutation) {
    let len = bytes.len();
    match m {
        Mutation::Flip { at, bit } if len > 0 => {
            let i = at.resolve(len).min(len - 1);
            bytes[i] ^= 1 << bit;
        }
        Mutation::Set { at, byte } if len > 0 => {
            let i = at.resolve(len).min(len - 1);
            bytes[i] = *byte;
        }
        Mutation::Insert { at, bytes: new } => {
            let i = at.resolve(len);
            bytes.splice(i..i, new.iter().copied());
        }
        Mutation::Remove { at, len: n } => {
            let i = at.resolve(len);
            bytes.drain(i..(i + n).min(len));
        }
        Mutation::Truncate { at } => bytes.truncate(at.resolve(len)),
        Mutation::Flip { .. } | Mutation::Set { .. } => {}
    }
}

proptest! {
    // 1,024 cases: about 0.5 s (only the half that starts with `PK` reaches calamine).
    #![proptest_config(config(1_024, 0x6e65_7875_7331))]

    /// Bytes that are not a workbook are refused as such, whatever the import; those that
    /// start like a zip reach calamine and are still only ever read or refused.
    #[test]
    fn arbitrary_bytes_are_read_or_refused(
        zip_like in any::<bool>(),
        tail in prop::collection::vec(any::<u8>(), 0..2048),
    ) {
        let bytes = if zip_like { [b"PK\x03\x04".as_slice(), &tail].concat() } else { tail };
        for kind in IMPORTS {
            let result = inspect(kind, &bytes);
            check_inspection(kind, &result)?;
            if !bytes.starts_with(b"PK\x03\x04") {
                prop_assert!(
                    matches!(&result, Err(ImportError::Rejected { code: "NOT_A_WORKBOOK", .. })),
                    "{kind:?}: {result:?}"
                );
            }
        }
        let other = inspect(JobKind::ExpiryScan, &bytes);
        prop_assert!(
            matches!(&other, Err(ImportError::Rejected { code: "NOT_AN_IMPORT", .. })),
            "{:?}",
            other
        );
    }
}

/// Mutated fixtures: every import reads or refuses them; when the import the file belongs to
/// still finds its sheet, the import itself runs and accounts for every row. 400 cases: about
/// 2 s (calamine parses each survivor four times, and about one in four is imported).
#[test]
fn mutated_fixtures_are_read_or_refused_and_lose_no_row() {
    let shared = shared();
    let strategy = (0..FIXTURES.len(), prop::collection::vec(mutation(), 1..4));
    check_all(400, 0x6669_7874_7572_6573, strategy, |(f, mutations)| {
        let fixture = &FIXTURES[f];
        let mut bytes = fixture.bytes.to_vec();
        for m in &mutations {
            mutate(&mut bytes, m);
        }
        let mut own = None;
        for kind in IMPORTS {
            let result = inspect(kind, &bytes);
            check_inspection(kind, &result)?;
            if kind == fixture.kind {
                own = Some(result);
            }
        }
        let Some(Ok(inspection)) = own else {
            return Ok(());
        };
        let outcome = shared
            .runtime
            .block_on(run(&shared.store, fixture.kind, &bytes));
        let out = match outcome {
            Ok(out) => out,
            Err(ImportError::Rejected { code, .. }) if FILE_REFUSALS.contains(&code) => {
                return Err(TestCaseError::fail(format!(
                    "inspect accepted the file but the import refused it ({code})"
                )));
            }
            Err(other) => {
                return Err(TestCaseError::fail(format!("import failed: {other:?}")));
            }
        };
        let s = &out.summary;
        let n = |k: &str| s[k].as_u64().unwrap_or(u64::MAX);
        prop_assert_eq!(n("totalRows"), inspection.rows as u64, "{}", s);
        prop_assert_eq!(
            n("imported") + n("duplicateRows") + n("rejected"),
            n("totalRows"),
            "{}",
            s
        );
        let reported = out.report.as_deref().map(report_rows).unwrap_or_default();
        prop_assert_eq!(reported.len() as u64, n("rejected"), "{}", s);
        let numbers: BTreeSet<u32> = reported.iter().map(|(r, _)| *r).collect();
        prop_assert_eq!(
            numbers.len(),
            reported.len(),
            "a row reported twice: {:?}",
            reported
        );
        prop_assert!(
            reported
                .iter()
                .all(|(r, why)| *r >= 2 && !why.trim().is_empty())
        );
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------
// Number text and the cell readers.

/// Indian (`5,00,000`) or Western (`500,000`) grouping of a whole number's digits.
fn grouped(digits: &str, indian: bool) -> String {
    if digits.len() <= 3 {
        return digits.to_string();
    }
    let (mut head, last) = digits.split_at(digits.len() - 3);
    let step = if indian { 2 } else { 3 };
    let mut groups = vec![last];
    while head.len() > step {
        let (rest, group) = head.split_at(head.len() - step);
        groups.push(group);
        head = rest;
    }
    groups.push(head);
    groups.reverse();
    groups.join(",")
}

/// A number as an ERP export or a person writes it in a text cell, with its value.
#[derive(Debug, Clone)]
struct Written {
    text: String,
    value: Decimal,
}

fn written_number() -> impl Strategy<Value = Written> {
    let padding =
        || prop::sample::select(vec!["", " ", "  ", "\u{a0}", "\t", "\u{feff}", " \u{a0} "]);
    (
        0u64..1_000_000_000_000_000,
        0u32..=6,
        any::<u64>(),
        // Sign: none, `-`, `+`, parentheses.
        0u8..4,
        // Grouping: none, Western, Indian.
        0u8..3,
        prop::sample::select(vec![
            "",
            "₹",
            "₹ ",
            "₹\u{a0}",
            "Rs",
            "Rs ",
            "Rs.",
            "Rs. ",
            "INR ",
        ]),
        prop::sample::select(vec!["", "%", " %"]),
        padding(),
        padding(),
        any::<bool>(),
    )
        .prop_map(
            |(int, scale, frac, sign, grouping, prefix, suffix, before, after, spaced)| {
                let frac = frac % 10u64.pow(scale);
                let digits = int.to_string();
                let int_text = match grouping {
                    0 => digits,
                    g => grouped(&digits, g == 2),
                };
                let number = if scale == 0 {
                    int_text
                } else {
                    format!("{int_text}.{frac:0width$}", width = scale as usize)
                };
                let mantissa = i128::from(int) * 10i128.pow(scale) + i128::from(frac);
                let magnitude = Decimal::from_i128_with_scale(mantissa, scale);
                let (body, value) = match sign {
                    1 => (format!("{prefix}-{number}{suffix}"), -magnitude),
                    2 => (format!("{prefix}+{number}{suffix}"), magnitude),
                    3 => {
                        let pad = if spaced { " " } else { "" };
                        (format!("({pad}{prefix}{number}{suffix}{pad})"), -magnitude)
                    }
                    _ => (format!("{prefix}{number}{suffix}"), magnitude),
                };
                Written {
                    text: format!("{before}{body}{after}"),
                    value,
                }
            },
        )
}

/// Text made of the characters number cells hold, where the parser's edge cases are.
fn numberish() -> impl Strategy<Value = String> {
    "[0-9,.()%₹RsINR +\\-–eE\u{a0}\u{feff}]{0,16}"
}

/// A well-written number with one character inserted, replaced or removed: the near misses.
fn near_number() -> impl Strategy<Value = String> {
    (
        written_number(),
        any::<Index>(),
        0u8..3,
        prop::sample::select("0123456789,.()%₹-–+ eE_/:".chars().collect::<Vec<_>>()),
    )
        .prop_map(|(w, at, op, c)| {
            let mut chars: Vec<char> = w.text.chars().collect();
            let i = at.index(chars.len() + 1);
            match op {
                0 => chars.insert(i, c),
                1 if i < chars.len() => chars[i] = c,
                _ if i < chars.len() => {
                    chars.remove(i);
                }
                _ => chars.push(c),
            }
            chars.into_iter().collect()
        })
}

fn refusal_names_the_text(issue: &cells::CellIssue) -> bool {
    issue.0.contains("is not a number")
}

proptest! {
    // 4,000 cases each: about 1.5 s for the four.
    #![proptest_config(config(4_000, 0x6e75_6d62_6572))]

    /// A number written the way the exports write it reads back as that number.
    #[test]
    fn spreadsheet_numbers_read_back(w in written_number()) {
        let read = cells::parse_number_text(&w.text);
        prop_assert_eq!(read.clone(), Ok(Some(w.value)), "{:?}", w.text);
        let d = read.ok().flatten().unwrap_or_default();
        // Normalised: no float noise or trailing zeros reach the stored value.
        prop_assert_eq!(d.scale(), d.normalize().scale());
    }

    /// Any text: blank is "no value", a refusal names the text, a value needs a digit (or is
    /// the accounting dash), and a value written back reads the same.
    #[test]
    fn any_text_is_a_number_blank_or_refused(
        raw in prop_oneof![any::<String>(), numberish(), near_number()],
    ) {
        let read = cells::parse_number_text(&raw);
        let blank = cells::clean(&raw).is_empty();
        match &read {
            Ok(None) => prop_assert!(blank, "{raw:?} read as blank"),
            Ok(Some(d)) => {
                prop_assert!(!blank);
                let dash = matches!(cells::clean(&raw).as_str(), "-" | "–");
                prop_assert!(
                    raw.chars().any(|c| c.is_ascii_digit()) || (dash && d.is_zero()),
                    "{raw:?} read as {d} without a digit"
                );
                prop_assert_eq!(cells::parse_number_text(&d.to_string()), Ok(Some(*d)));
            }
            Err(issue) => {
                prop_assert!(!blank);
                prop_assert!(refusal_names_the_text(issue), "{issue:?}");
            }
        }
    }

    /// `1-1.3`, a range or a date typed into a number column, is refused, never read as its
    /// first number (the legacy importer read it as 1).
    #[test]
    fn ranges_are_refused(
        a in 0u32..10_000,
        b in 0u32..10_000,
        sep in prop::sample::select(vec!["-", "/", " - "]),
    ) {
        let text = format!("{a}{sep}{b}");
        prop_assert!(cells::parse_number_text(&text).is_err(), "{text:?}");
    }

    /// The cell readers on any cell: no panic, and each keeps its promise.
    #[test]
    fn cell_readers_keep_their_promises(cell in any_cell()) {
        let text = cells::text(&cell);
        if cells::is_blank(&cell) {
            prop_assert_eq!(text.clone(), Ok(None));
        }
        if let Ok(Some(t)) = &text {
            prop_assert!(!t.is_empty());
            prop_assert_eq!(t.trim(), t.as_str());
            prop_assert!(!t.contains("  "), "{t:?}");
            if let Data::String(s) = &cell {
                prop_assert_eq!(t, &cells::clean(s));
            }
        }
        prop_assert_eq!(cells::code(&cell), text);
        let _ = cells::display(&cell);
        match (&cell, cells::number(&cell)) {
            (Data::Float(f), Ok(Some(d))) => {
                let back: f64 = d.try_into().unwrap_or(f64::NAN);
                prop_assert!((back - f).abs() <= f.abs() * 1e-9 + 1e-9, "{f} read as {d}");
            }
            (Data::Float(f), Err(_)) => {
                prop_assert!(!f.is_finite() || f.abs() > 7.9e28, "{f} refused");
            }
            (Data::Int(i), n) => prop_assert_eq!(n, Ok(Some(Decimal::from(*i)))),
            (Data::Empty, n) => prop_assert_eq!(n, Ok(None)),
            _ => {}
        }
        if let Ok(Some(p)) = cells::percent(&cell) {
            prop_assert!(p >= Decimal::ZERO && p <= Decimal::ONE_HUNDRED, "{p} %");
        }
        if let (Data::Int(i), Ok(Some(w))) = (&cell, cells::whole_number(&cell)) {
            prop_assert_eq!(*i, w);
        }
    }
}

/// Date serials the generators use: within ±100 billion days and not in the last day of
/// chrono's calendar, +262142-12-31 (the serials beyond are held by
/// `far_date_serials_read_as_numbers` and `far_date_serial_on_the_last_calendar_day`).
const SAFE_SERIAL: f64 = 1.0e11;
const LAST_CALENDAR_DAY: f64 = 95_051_805.0;

fn any_cell() -> impl Strategy<Value = Data> {
    let errors = prop::sample::select(vec![
        CellErrorType::Div0,
        CellErrorType::NA,
        CellErrorType::Name,
        CellErrorType::Null,
        CellErrorType::Num,
        CellErrorType::Ref,
        CellErrorType::Value,
        CellErrorType::GettingData,
    ]);
    prop_oneof![
        Just(Data::Empty),
        any::<String>().prop_map(Data::String),
        numberish().prop_map(Data::String),
        "[ \u{a0}\u{feff}\u{200b}\t\n]{0,4}".prop_map(Data::String),
        any::<f64>().prop_map(Data::Float),
        (-1e6f64..1e6).prop_map(Data::Float),
        any::<i64>().prop_map(Data::Int),
        any::<bool>().prop_map(Data::Bool),
        prop_oneof![
            0.0f64..100_000.0,
            -SAFE_SERIAL..LAST_CALENDAR_DAY,
            (LAST_CALENDAR_DAY + 1.0)..SAFE_SERIAL,
        ]
        .prop_map(|v| Data::DateTime(ExcelDateTime::new(
            v,
            ExcelDateTimeType::DateTime,
            false
        ))),
        any::<String>().prop_map(Data::DateTimeIso),
        errors.prop_map(Data::Error),
    ]
}

fn date_cell(serial: f64) -> Data {
    Data::DateTime(ExcelDateTime::new(
        serial,
        ExcelDateTimeType::DateTime,
        false,
    ))
}

/// Found by this suite (fixed): `cells::text` panicked ("TimeDelta::days out of bounds") on a date cell whose serial
/// is at least 106,751,991,168 (`chrono::Duration::days` of it overflows), and the header
/// search reads every cell of the first rows through it, so a workbook whose A1 is the
/// number 1e12 formatted as a date panics `inspect` and every import. It should read like
/// any other out-of-calendar serial (`106751991167` shows as that number).
#[test]
fn far_date_serials_read_as_numbers() {
    for serial in [106_751_991_168.0, 1e12, -1e12, f64::INFINITY] {
        assert!(cells::text(&date_cell(serial)).is_ok(), "{serial}");
    }
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    ws.write_number_with_format(0, 0, 1e12, &date).unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    assert!(matches!(
        inspect(JobKind::BulkOrderImport, &bytes),
        Err(ImportError::Rejected {
            code: "WRONG_SHEET",
            ..
        })
    ));
}

/// Found by this suite (fixed): one value in the last cell of the sheet (`XFD1048576`) beside
/// a valid bulk-order table made the reader lay out 17 billion cells and abort the process.
/// The upload is refused with a message naming the span; a table well inside the bound
/// beside it still reads.
#[test]
fn a_stray_far_cell_is_refused_not_allocated() {
    let table = |stray: Option<(u32, u16)>| {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in HEADERS.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        ws.write_string(1, 0, "CUST-001").unwrap();
        ws.write_string(1, 1, "SKU-1").unwrap();
        ws.write_number(1, 2, 5.0).unwrap();
        if let Some((r, c)) = stray {
            ws.write_string(r, c, "x").unwrap();
        }
        wb.save_to_buffer().unwrap()
    };
    for corner in [(1_048_575, 16_383), (1_048_575, 5), (200_000, 10)] {
        match inspect(JobKind::BulkOrderImport, &table(Some(corner))) {
            Err(ImportError::Rejected {
                code: "SHEET_TOO_LARGE",
                message,
            }) => assert!(message.contains("columns"), "{message}"),
            other => panic!("{corner:?}: {other:?}"),
        }
    }
    // 50,000 rows × 6 columns: inside the bound, read as usual.
    let ok = inspect(JobKind::BulkOrderImport, &table(Some((49_999, 5)))).unwrap();
    assert!(ok.rows >= 1, "{ok:?}");
    const { assert!(nexus_worker::imports::sheet::MAX_SHEET_CELLS >= 50_000 * 6) };
}

/// Found by this suite (fixed): `cells::text` panicked ("`NaiveDateTime + TimeDelta` overflowed") on a serial in the
/// last day of chrono's calendar whose time rounds up to 24:00 (95,051,805.99999999).
#[test]
fn far_date_serial_on_the_last_calendar_day() {
    assert!(cells::text(&date_cell(95_051_805.999_999_99)).is_ok());
}

// ---------------------------------------------------------------------------------------
// Generated bulk-order sheets.

/// A cell as written into the generated workbook.
#[derive(Debug, Clone)]
enum Cell {
    Blank,
    Text(String),
    Number(f64),
    Date(f64),
    Bool(bool),
}

impl Cell {
    fn is_blank(&self) -> bool {
        match self {
            Cell::Blank => true,
            Cell::Text(s) => cells::clean(s).is_empty(),
            _ => false,
        }
    }
}

/// What a generated cell does to its row: certainly fine, certainly a rejection, or either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Good,
    Bad,
    Unsure,
}

#[derive(Debug, Clone)]
struct Generated {
    cell: Cell,
    class: Class,
}

fn classed(cell: Cell, class: Class) -> Generated {
    Generated { cell, class }
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

/// A known value with the padding the old files carry (spaces, NBSP, a byte-order mark).
fn padded(values: &'static [&'static str]) -> impl Strategy<Value = String> {
    (
        prop::sample::select(values),
        prop::sample::select(vec!["", " ", "\u{a0}", "\u{feff}"]),
        prop::sample::select(vec!["", "  ", "\u{a0}"]),
    )
        .prop_map(|(v, a, b)| format!("{a}{v}{b}"))
}

/// Free text that is none of the known codes once cleaned.
fn other_text(known: &'static [&'static str]) -> impl Strategy<Value = String> {
    "\\PC{0,10}".prop_filter("a known code", move |s| {
        !known.contains(&cells::clean(s).as_str())
    })
}

fn any_number_cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        (-1e9f64..1e9).prop_map(Cell::Number),
        prop::num::f64::NORMAL.prop_map(Cell::Number),
        (0.0f64..100_000.0).prop_map(Cell::Date),
        any::<bool>().prop_map(Cell::Bool),
    ]
}

const CUSTOMERS: &[&str] = &["CUST-MH", "CUST-KA", "CUST-BLK", "CUST-NONE"];

fn customer_cell() -> impl Strategy<Value = Generated> {
    prop_oneof![
        24 => padded(&["CUST-MH", "CUST-KA"]).prop_map(|s| classed(text(s), Class::Good)),
        1 => padded(&["CUST-BLK", "CUST-NONE"]).prop_map(|s| classed(text(s), Class::Bad)),
        1 => prop_oneof![Just(Cell::Blank), Just(text(" \u{a0}"))]
            .prop_map(|c| classed(c, Class::Bad)),
        1 => other_text(CUSTOMERS).prop_map(|s| classed(text(s), Class::Unsure)),
        1 => any_number_cell().prop_map(|c| classed(c, Class::Unsure)),
    ]
}

fn sku_cell() -> impl Strategy<Value = Generated> {
    prop_oneof![
        24 => padded(&["SKU-220", "SKU-116"]).prop_map(|s| classed(text(s), Class::Good)),
        1 => prop_oneof![Just(Cell::Blank), Just(text("SKU-NONE"))]
            .prop_map(|c| classed(c, Class::Bad)),
        1 => prop_oneof![
            Just(text("SKU-ZERO")),
            other_text(&["SKU-220", "SKU-116", "SKU-ZERO"]).prop_map(text),
            any_number_cell(),
        ]
        .prop_map(|c| classed(c, Class::Unsure)),
    ]
}

fn quantity_cell() -> impl Strategy<Value = Generated> {
    prop_oneof![
        20 => prop_oneof![
            (1u32..=500).prop_map(|n| Cell::Number(f64::from(n))),
            (1u32..=5_000).prop_map(|n| text(format!(" {} ", grouped(&n.to_string(), false)))),
        ]
        .prop_map(|c| classed(c, Class::Good)),
        2 => prop_oneof![
            Just(Cell::Blank),
            Just(Cell::Number(0.0)),
            (1u32..100).prop_map(|n| Cell::Number(-f64::from(n))),
            Just(Cell::Number(2e7)),
            prop::sample::select(vec!["-", "abc", "1-1.3", "(5)", "5 kg"]).prop_map(text),
            any::<bool>().prop_map(Cell::Bool),
        ]
        .prop_map(|c| classed(c, Class::Bad)),
        1 => prop_oneof![any_number_cell(), numberish().prop_map(text), "\\PC{0,8}".prop_map(text)]
            .prop_map(|c| classed(c, Class::Unsure)),
    ]
}

/// Good rates stay inside the band of both SKUs (22–1,160).
fn rate_cell() -> impl Strategy<Value = Generated> {
    prop_oneof![
        16 => prop_oneof![
            Just(Cell::Blank),
            (25.0f64..1_000.0).prop_map(Cell::Number),
            (25u32..1_000).prop_map(|n| text(format!("₹ {n}.50"))),
        ]
        .prop_map(|c| classed(c, Class::Good)),
        1 => prop_oneof![
            Just(Cell::Number(0.0)),
            Just(Cell::Number(-5.0)),
            Just(Cell::Number(5_000.0)),
            Just(text("abc")),
            Just(text("1-1.3")),
        ]
        .prop_map(|c| classed(c, Class::Bad)),
        1 => prop_oneof![any_number_cell(), numberish().prop_map(text)]
            .prop_map(|c| classed(c, Class::Unsure)),
    ]
}

fn remarks_cell() -> impl Strategy<Value = Generated> {
    prop_oneof![
        20 => prop_oneof![Just(Cell::Blank), "(?s).{0,40}".prop_map(text), any_number_cell()]
            .prop_map(|c| classed(c, Class::Good)),
        1 => "[a-z]{501,520}".prop_map(|s| classed(text(s), Class::Bad)),
    ]
}

fn order_ref_cell() -> impl Strategy<Value = Generated> {
    prop_oneof![
        4 => prop_oneof![Just(Cell::Blank), padded(&["PO-1", "PO-2"]).prop_map(text)]
            .prop_map(|c| classed(c, Class::Good)),
        1 => "\\PC{0,6}".prop_map(|s| classed(text(s), Class::Good)),
        1 => any_number_cell().prop_map(|c| classed(c, Class::Good)),
    ]
}

type OrderRow = [Generated; 6];

fn order_row() -> impl Strategy<Value = OrderRow> {
    let row = (
        customer_cell(),
        sku_cell(),
        quantity_cell(),
        rate_cell(),
        remarks_cell(),
        order_ref_cell(),
    )
        .prop_map(|(a, b, c, d, e, f)| [a, b, c, d, e, f]);
    let blank = || classed(Cell::Blank, Class::Good);
    prop_oneof![
        12 => row,
        1 => Just([blank(), blank(), blank(), blank(), blank(), blank()]),
    ]
}

/// What sits above the header: nothing, a title row, or an empty first row.
#[derive(Debug, Clone, Copy)]
enum Top {
    Header,
    Title,
    EmptyRow,
}

#[derive(Debug, Clone)]
struct OrderSheet {
    top: Top,
    /// Column of each layout field (a permutation: files put columns in any order).
    columns: Vec<u16>,
    rows: Vec<OrderRow>,
}

impl OrderSheet {
    /// The sheet row number (1-based, as Excel shows it) of data row `i`.
    fn row_number(&self, i: usize) -> u32 {
        let header = match self.top {
            Top::Header => 1,
            Top::Title | Top::EmptyRow => 2,
        };
        header + 1 + i as u32
    }

    fn workbook(&self) -> Vec<u8> {
        let mut wb = Workbook::new();
        wb.add_worksheet()
            .set_name("Instructions")
            .and_then(|ws| ws.write_string(0, 0, "Fill in the Bulk Orders sheet"))
            .expect("instructions");
        let ws = wb.add_worksheet();
        ws.set_name("Bulk Orders").expect("sheet name");
        let date = Format::new().set_num_format("dd/mm/yyyy");
        let header_row = self.row_number(0) - 2;
        if let Top::Title = self.top {
            ws.write_string(0, 0, "Bulk order upload").expect("title");
        }
        for (field, title) in HEADERS.iter().enumerate() {
            ws.write_string(header_row, self.columns[field], *title)
                .expect("header");
        }
        for (i, row) in self.rows.iter().enumerate() {
            let r = self.row_number(i) - 1;
            for (field, g) in row.iter().enumerate() {
                let c = self.columns[field];
                match &g.cell {
                    Cell::Blank => continue,
                    Cell::Text(s) => ws.write_string(r, c, s),
                    Cell::Number(n) => ws.write_number(r, c, *n),
                    Cell::Date(d) => ws.write_number_with_format(r, c, *d, &date),
                    Cell::Bool(b) => ws.write_boolean(r, c, *b),
                }
                .expect("cell");
            }
        }
        wb.save_to_buffer().expect("workbook")
    }
}

fn order_sheet() -> impl Strategy<Value = OrderSheet> {
    (
        prop::sample::select(vec![Top::Header, Top::Title, Top::EmptyRow]),
        Just((0u16..6).collect::<Vec<_>>()).prop_shuffle(),
        prop::collection::vec(order_row(), 1..10),
    )
        .prop_map(|(top, columns, rows)| OrderSheet { top, columns, rows })
}

/// The order a row belongs to, when its customer and reference are text (or blank): the
/// cleaned customer code and Order Ref.
fn group_key(row: &OrderRow) -> Option<(String, String)> {
    let key = |c: &Cell| match c {
        Cell::Blank => Some(String::new()),
        Cell::Text(s) => Some(cells::clean(s)),
        _ => None,
    };
    Some((key(&row[0].cell)?, key(&row[5].cell)?))
}

/// Bulk-order sheets with arbitrary cells: every non-blank row is imported or reported with
/// its own row number; a row with a certainly-bad cell is reported and takes its whole order
/// (same customer and Order Ref) with it; an order whose rows are all certainly good is
/// imported; and the report is itself an importable file with exactly the rejected rows.
/// 64 cases: about 1.7 s (each is a real import into a shared SQLite store).
#[test]
fn generated_order_sheets_lose_no_row() {
    let shared = shared();
    check_all(64, 0x6f72_6465_7273, order_sheet(), |sheet| {
        let bytes = sheet.workbook();
        let data_rows: Vec<usize> = (0..sheet.rows.len())
            .filter(|i| !sheet.rows[*i].iter().all(|g| g.cell.is_blank()))
            .collect();
        let outcome = shared
            .runtime
            .block_on(run(&shared.store, JobKind::BulkOrderImport, &bytes));
        if data_rows.is_empty() {
            prop_assert!(
                matches!(
                    &outcome,
                    Err(ImportError::Rejected {
                        code: "NO_DATA_ROWS",
                        ..
                    })
                ),
                "{outcome:?}"
            );
            return Ok(());
        }
        let out = outcome.map_err(|e| TestCaseError::fail(format!("import failed: {e:?}")))?;
        let s = &out.summary;
        let n = |k: &str| s[k].as_u64().unwrap_or(u64::MAX);
        prop_assert_eq!(n("totalRows"), data_rows.len() as u64, "{}", s);
        prop_assert_eq!(
            n("imported") + n("alreadyImportedRows") + n("rejected"),
            n("totalRows"),
            "{}",
            s
        );

        let reported = out.report.as_deref().map(report_rows).unwrap_or_default();
        prop_assert_eq!(reported.len() as u64, n("rejected"), "{}", s);
        let reported: HashMap<u32, String> = reported.into_iter().collect();
        prop_assert_eq!(reported.len() as u64, n("rejected"), "a row reported twice");
        let numbers: BTreeSet<u32> = data_rows.iter().map(|i| sheet.row_number(*i)).collect();
        for (row, why) in &reported {
            prop_assert!(numbers.contains(row), "row {row} is not a data row: {why}");
            prop_assert!(!why.trim().is_empty());
        }

        let bad = |i: usize| sheet.rows[i].iter().any(|g| g.class == Class::Bad);
        let good = |i: usize| sheet.rows[i].iter().all(|g| g.class == Class::Good);
        let mut groups: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for &i in &data_rows {
            if let Some(k) = group_key(&sheet.rows[i]) {
                groups.entry(k).or_default().push(i);
            }
        }
        for &i in &data_rows {
            let number = sheet.row_number(i);
            let group = group_key(&sheet.rows[i]).and_then(|k| groups.get(&k));
            if bad(i) || group.is_some_and(|g| g.iter().any(|j| bad(*j))) {
                prop_assert!(
                    reported.contains_key(&number),
                    "row {number} should be reported: {:?}",
                    sheet.rows[i]
                );
            }
            if group.is_some_and(|g| g.iter().all(|j| good(*j))) {
                prop_assert!(
                    !reported.contains_key(&number),
                    "row {number} of an all-good order was rejected: {:?}",
                    reported[&number]
                );
            }
        }

        // The created orders hold exactly the imported rows.
        let lines = shared.runtime.block_on(async {
            let mut lines = 0;
            for id in &out.created_order_ids {
                let order: Option<Order> = shared.store.get(Filter::id(id.clone())).await?;
                lines += order.map_or(0, |o| o.items.len());
            }
            Ok::<_, nexus_core::store::StoreError>(lines)
        });
        prop_assert_eq!(lines.ok(), Some(n("imported") as usize));

        // The report is an upload-ready file: the bulk-order sheet with the rejected rows.
        if let Some(report) = &out.report {
            let again = inspect(JobKind::BulkOrderImport, report)
                .map_err(|e| TestCaseError::fail(format!("report not importable: {e:?}")))?;
            prop_assert_eq!(again.rows, reported.len());
        }
        Ok(())
    });
}
