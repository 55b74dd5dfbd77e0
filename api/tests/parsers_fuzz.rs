//! Fuzzing the API's parsers of outside input (issue #11 item 6) with proptest: bearer
//! tokens (`auth::jwt::JwtKeys::verify`) and query strings (`parse_query`, behind every
//! `ApiQuery` extractor).
//!
//! * A token the server issued verifies to its user; any other string — arbitrary text,
//!   token-shaped garbage, and every tampering of a real token (a character changed, added
//!   or removed, segments swapped, the header's `alg` set to `none`/`HS384`/`HS512`/`RS256`,
//!   even properly re-signed with the same secret under HS512, the payload re-encoded for
//!   another user or a later expiry without re-signing, a token from another secret, or of
//!   the other kind) — is refused with a 401 `TOKEN_INVALID`, never accepted, never a panic.
//! * A query string is read into the handler's type or refused with a 422 `INVALID_QUERY`;
//!   a generated query for a small filter struct, however encoded and with empty parameters
//!   sprinkled in, reads back exactly the values put in (empty ones as absent).
//!
//! `parse_query` lives in `routes::extract`, a private module of nexus-api, so this test
//! compiles that file itself (with the two crate paths it names pointed at the library's
//! public `json` and `error`); the code under test is the same source the server runs.
//!
//! Every property runs a fixed number of cases from a fixed seed (`config`), with no failure
//! files: a run is repeatable and bounded. Measured with `time` on the debug test binary of
//! `cargo test -p nexus-api --all-features --test parsers_fuzz` on a two-core machine: 2 s of
//! CPU, 2–4 s of wall time depending on what else runs, well inside a 30 s budget. The case
//! counts below were chosen for that.

// What `routes/extract.rs` reaches through `crate::`.
use nexus_api::{error, json};

// Only `parse_query` is used here; the file's extractors are the server's business.
#[allow(dead_code)]
#[path = "../src/routes/extract.rs"]
mod extract;

use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use extract::parse_query;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use nexus_api::ApiError;
use nexus_api::auth::jwt::{JwtKeys, TokenKind};
use nexus_api::error::ErrorCode;
use nexus_core::auth::Role;
use nexus_core::model::User;
use nexus_tests::fuzz::config;
use proptest::prelude::*;
use proptest::sample::Index;
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;

// ---------------------------------------------------------------------------------------
// Tokens.

const SECRET: &str = "fuzz-secret-0123456789abcdef-0123456789";

fn keys() -> JwtKeys {
    JwtKeys::new(
        &SecretString::from(SECRET.to_string()),
        Duration::from_secs(900),
        Duration::from_secs(7 * 24 * 3600),
    )
}

fn role() -> impl Strategy<Value = Role> {
    prop::sample::select(vec![
        Role::Admin,
        Role::Sales,
        Role::CreditControl,
        Role::Warehouse,
        Role::Billing,
    ])
}

/// User ids as they come: the codes the system makes, e-mail ids, and any text.
fn user_id() -> impl Strategy<Value = String> {
    prop_oneof![
        "(SALES|USER|ADMIN)-[0-9]{3,6}",
        "[a-z0-9.]{1,12}@[a-z]{1,8}\\.(com|in)",
        "\\PC{1,24}",
    ]
}

fn user() -> impl Strategy<Value = User> {
    (user_id(), "\\PC{0,16}", role()).prop_map(|(id, name, role)| User::new(id, name, role))
}

fn kind() -> impl Strategy<Value = TokenKind> {
    prop::sample::select(vec![TokenKind::Access, TokenKind::Refresh])
}

fn other(kind: TokenKind) -> TokenKind {
    match kind {
        TokenKind::Access => TokenKind::Refresh,
        TokenKind::Refresh => TokenKind::Access,
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The payload of a token as JSON (the test reads its own tokens).
fn payload(token: &str) -> Value {
    let part = token.split('.').nth(1).unwrap_or_default();
    let bytes = URL_SAFE_NO_PAD.decode(part).unwrap_or_default();
    serde_json::from_slice(&bytes).unwrap_or(Value::Null)
}

/// The payload with `field` set to `value`, re-encoded; header and signature kept.
fn with_claim(token: &str, field: &str, value: Value) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let mut p = payload(token);
    p[field] = value;
    let body = b64(p.to_string().as_bytes());
    format!("{}.{body}.{}", parts[0], parts[2])
}

fn with_header(token: &str, header: &Value, signature: Option<&str>) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let sig = signature.unwrap_or(parts[2]);
    format!("{}.{}.{sig}", b64(header.to_string().as_bytes()), parts[1])
}

/// One way of tampering with a token.
#[derive(Debug, Clone)]
enum Tamper {
    /// Character `at` replaced by `with` (skipped when it is the same character).
    Replace {
        at: Index,
        with: char,
    },
    Insert {
        at: Index,
        c: char,
    },
    Remove {
        at: Index,
    },
    /// The three segments in another order (a permutation other than the identity).
    Reorder(usize),
    /// The header's `alg` set to this, the signature kept (or dropped, for `none`).
    Alg(&'static str, bool),
    /// Re-signed with the server's own secret under HS512: the right key, the wrong
    /// algorithm.
    ResignedHs512,
    /// The payload for another user, not re-signed.
    OtherUser(String),
    /// The payload with a later expiry or another role, not re-signed.
    Claim(&'static str, Value),
    /// A token from a server with another secret.
    ForeignSecret,
    /// The other kind of token.
    OtherKind,
    /// Trailing or leading junk.
    Wrap(&'static str, &'static str),
}

fn token_char() -> impl Strategy<Value = char> {
    prop_oneof![
        6 => prop::sample::select(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                .chars()
                .collect::<Vec<_>>()
        ),
        1 => prop::sample::select(vec!['.', '=', '+', '/', ' ', '\0', 'é', '\u{feff}']),
    ]
}

fn tamper() -> impl Strategy<Value = Tamper> {
    prop_oneof![
        8 => (any::<Index>(), token_char()).prop_map(|(at, with)| Tamper::Replace { at, with }),
        2 => (any::<Index>(), token_char()).prop_map(|(at, c)| Tamper::Insert { at, c }),
        2 => any::<Index>().prop_map(|at| Tamper::Remove { at }),
        1 => (1usize..6).prop_map(Tamper::Reorder),
        2 => (
            prop::sample::select(vec![
                "none", "None", "NONE", "HS384", "HS512", "RS256", "ES256", "",
            ]),
            any::<bool>(),
        )
            .prop_map(|(alg, keep)| Tamper::Alg(alg, keep)),
        1 => Just(Tamper::ResignedHs512),
        2 => user_id().prop_map(Tamper::OtherUser),
        1 => prop::sample::select(vec![
            ("exp", json!(4_102_444_800i64)),
            ("iat", json!(0)),
            ("role", json!("admin")),
            ("typ", json!("refresh")),
            ("typ", json!("access")),
            ("tv", json!(99)),
        ])
        .prop_map(|(f, v)| Tamper::Claim(f, v)),
        1 => Just(Tamper::ForeignSecret),
        1 => Just(Tamper::OtherKind),
        1 => prop::sample::select(vec![
            ("Bearer ", ""),
            (" ", ""),
            ("", " "),
            ("", "."),
            ("", "\n"),
            ("x", ""),
        ])
            .prop_map(|(a, b)| Tamper::Wrap(a, b)),
    ]
}

/// The tampered token, or `None` when the tampering happens to change nothing.
fn apply(token: &str, user: &User, kind: TokenKind, t: &Tamper) -> Option<(String, TokenKind)> {
    let chars: Vec<char> = token.chars().collect();
    let tampered = match t {
        Tamper::Replace { at, with } => {
            let i = at.index(chars.len());
            if chars[i] == *with {
                return None;
            }
            let mut c = chars.clone();
            c[i] = *with;
            c.into_iter().collect()
        }
        Tamper::Insert { at, c } => {
            let mut cs = chars.clone();
            cs.insert(at.index(chars.len() + 1), *c);
            cs.into_iter().collect()
        }
        Tamper::Remove { at } => {
            let mut cs = chars.clone();
            cs.remove(at.index(chars.len()));
            cs.into_iter().collect()
        }
        Tamper::Reorder(n) => {
            let p: Vec<&str> = token.split('.').collect();
            let orders = [[0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
            let o = orders[(n - 1) % orders.len()];
            format!("{}.{}.{}", p[o[0]], p[o[1]], p[o[2]])
        }
        Tamper::Alg(alg, keep) => {
            let header = json!({ "alg": alg, "typ": "JWT" });
            with_header(token, &header, (!keep).then_some(""))
        }
        Tamper::ResignedHs512 => jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &payload(token),
            &EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .ok()?,
        Tamper::OtherUser(id) => {
            if *id == user.id {
                return None;
            }
            with_claim(token, "userId", json!(id))
        }
        Tamper::Claim(field, value) => {
            if payload(token).get(*field) == Some(value) {
                return None;
            }
            with_claim(token, field, value.clone())
        }
        Tamper::ForeignSecret => JwtKeys::new(
            &SecretString::from("another-secret-another-secret-xyz".to_string()),
            Duration::from_secs(900),
            Duration::from_secs(7 * 24 * 3600),
        )
        .issue(user, kind)
        .ok()?,
        Tamper::OtherKind => return Some((token.to_string(), other(kind))),
        Tamper::Wrap(before, after) => format!("{before}{token}{after}"),
    };
    (tampered != token).then_some((tampered, kind))
}

/// Refused as a bad token: 401 `TOKEN_INVALID` (never "expired": nothing here is a genuine
/// old token).
fn refused(result: Result<nexus_core::auth::Claims, ApiError>) -> Result<(), TestCaseError> {
    match result {
        Ok(c) => Err(TestCaseError::fail(format!(
            "accepted, for user {:?}",
            c.user_id
        ))),
        Err(e) => {
            prop_assert_eq!(e.status, StatusCode::UNAUTHORIZED);
            prop_assert_eq!(e.code, ErrorCode::TokenInvalid);
            Ok(())
        }
    }
}

/// Text in the shape of a token: three base64url segments, some of them encoded JSON.
fn token_shaped() -> impl Strategy<Value = String> {
    let segment = prop_oneof![
        "[A-Za-z0-9_-]{0,60}",
        any::<Vec<u8>>().prop_map(|b| b64(&b)),
        prop::sample::select(vec![
            json!({"alg": "HS256", "typ": "JWT"}),
            json!({"alg": "none"}),
            json!({"alg": "HS256", "kid": "../../etc/passwd"}),
            json!({"userId": "USER-001", "role": "admin", "iat": 0, "exp": 4_102_444_800i64,
                   "jti": "x", "typ": "access"}),
            json!([]),
            json!(null),
        ])
        .prop_map(|v| b64(v.to_string().as_bytes())),
    ];
    prop::collection::vec(segment, 1..5).prop_map(|s| s.join("."))
}

proptest! {
    // 1,000 cases each: about 1 s for the three (the tampering property issues and verifies
    // two to three tokens per case).
    #![proptest_config(config(1_000, 0x6a77_745f_6675_7a7a))]

    /// The untouched token verifies, as its own kind only, to the user it was issued for.
    #[test]
    fn issued_tokens_verify_to_their_user(user in user(), kind in kind()) {
        let keys = keys();
        let token = keys.issue(&user, kind).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        match keys.verify(&token, kind) {
            Ok(c) => {
                prop_assert!(!user.id.trim().is_empty());
                prop_assert_eq!(&c.user_id, &user.id);
                prop_assert_eq!(c.role, user.role);
            }
            // A user without an id gets no working token.
            Err(e) => {
                prop_assert!(user.id.trim().is_empty(), "{e:?}");
                refused(Err(e))?;
            }
        }
        refused(keys.verify(&token, other(kind)))?;
    }

    /// Every tampering of a good token is refused, while the token itself still verifies.
    #[test]
    fn tampered_tokens_are_refused(
        user in user(),
        kind in kind(),
        tampers in prop::collection::vec(tamper(), 1..3),
    ) {
        prop_assume!(!user.id.trim().is_empty());
        let keys = keys();
        let token = keys.issue(&user, kind).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let (mut t, mut k) = (token.clone(), kind);
        let mut changed = false;
        for tamper in &tampers {
            if let Some((next, next_kind)) = apply(&t, &user, k, tamper) {
                (t, k) = (next, next_kind);
                changed = true;
            }
        }
        if changed && (t != token || k != kind) {
            refused(keys.verify(&t, k))?;
        }
        let c = keys.verify(&token, kind).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(c.user_id, user.id);
    }

    /// Strings that were never issued are refused.
    #[test]
    fn arbitrary_strings_are_refused(
        s in prop_oneof![any::<String>(), token_shaped()],
        kind in kind(),
    ) {
        refused(keys().verify(&s, kind))?;
    }
}

// ---------------------------------------------------------------------------------------
// Query strings.

/// A small filter, like the list endpoints take.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Filter {
    status: Option<String>,
    customer_id: Option<String>,
    page: Option<u32>,
    limit: Option<u64>,
    min_total: Option<f64>,
    offset: Option<i64>,
    active: Option<bool>,
}

/// A value as a query carries it (`None`: the parameter is left out).
#[derive(Debug, Clone)]
enum Param {
    Absent,
    /// Sent with an empty (or all-blank) value, as forms do: read as absent.
    Empty(&'static str),
    Value(String),
}

/// How a parameter is sent: absent, empty, or a value, with an empty duplicate before or
/// after it sometimes (`status=&status=open`).
#[derive(Debug, Clone)]
struct Sent {
    param: Param,
    empty_twin: Option<(bool, &'static str)>,
}

fn empty_value() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["", " ", "  ", "\t"])
}

fn sent<T: std::fmt::Debug + Clone + 'static>(
    value: impl Strategy<Value = T>,
    show: fn(&T) -> String,
) -> impl Strategy<Value = (Option<T>, Sent)> {
    let param = prop_oneof![
        2 => Just((None, Param::Absent)),
        1 => empty_value().prop_map(|e| (None, Param::Empty(e))),
        4 => value.prop_map(move |v| { let s = show(&v); (Some(v), Param::Value(s)) }),
    ];
    (
        param,
        prop::option::weighted(0.2, (any::<bool>(), empty_value())),
    )
        .prop_map(|((v, param), twin)| {
            let twin = match param {
                Param::Value(_) => twin,
                _ => None,
            };
            (
                v,
                Sent {
                    param,
                    empty_twin: twin,
                },
            )
        })
}

/// Text that is not blank once trimmed (blank values are "absent" by design).
fn text_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9_-]{1,12}",
        "\\PC{1,12}".prop_filter("blank", |s| !s.trim().is_empty()),
        Just("a&b=c+d%20e".to_string()),
    ]
}

/// One way of percent-encoding, chosen per character: plain where allowed, `+` or `%20` for
/// a space, `%XX` (either case) for the rest and, sometimes, for what could stay plain.
fn encode(s: &str, choices: &[u8]) -> String {
    let mut out = String::new();
    let mut pick = choices.iter().cycle();
    for c in s.chars() {
        let choice = pick.next().copied().unwrap_or(0);
        let plain = c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '*');
        if c == ' ' && choice % 2 == 0 {
            out.push('+');
        } else if plain && choice % 3 != 0 {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                if choice % 5 == 0 {
                    out.push_str(&format!("%{b:02x}"));
                } else {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    out
}

#[derive(Debug, Clone)]
struct Query {
    want: Filter,
    raw: String,
}

fn query() -> impl Strategy<Value = Query> {
    (
        (
            sent(text_value(), |v: &String| v.clone()),
            sent(text_value(), |v: &String| v.clone()),
            sent(any::<u32>(), u32::to_string),
            sent(any::<u64>(), u64::to_string),
            sent(
                any::<f64>().prop_filter("finite", |f| f.is_finite()),
                f64::to_string,
            ),
            sent(any::<i64>(), i64::to_string),
            sent(any::<bool>(), bool::to_string),
        ),
        // Parameters the struct does not have: ignored.
        prop::collection::vec(("x[a-z]{0,4}", "\\PC{0,6}"), 0..3),
        prop::collection::vec(any::<u8>(), 1..16),
        any::<Index>(),
    )
        .prop_map(
            |(
                (status, customer, page, limit, min_total, offset, active),
                extra,
                choices,
                shuffle,
            )| {
                let want = Filter {
                    status: status.0,
                    customer_id: customer.0,
                    page: page.0,
                    limit: limit.0,
                    min_total: min_total.0,
                    offset: offset.0,
                    active: active.0,
                };
                let sent = [
                    ("status", status.1),
                    ("customerId", customer.1),
                    ("page", page.1),
                    ("limit", limit.1),
                    ("minTotal", min_total.1),
                    ("offset", offset.1),
                    ("active", active.1),
                ];
                let mut pairs: Vec<(String, String)> = Vec::new();
                for (name, s) in sent {
                    let value = match s.param {
                        Param::Absent => continue,
                        Param::Empty(e) => e.to_string(),
                        Param::Value(v) => v,
                    };
                    match s.empty_twin {
                        Some((true, e)) => {
                            pairs.push((name.into(), e.into()));
                            pairs.push((name.into(), value));
                        }
                        Some((false, e)) => {
                            pairs.push((name.into(), value));
                            pairs.push((name.into(), e.into()));
                        }
                        None => pairs.push((name.into(), value)),
                    }
                }
                pairs.extend(extra);
                // Any order of the parameters: rotate by a random amount.
                if !pairs.is_empty() {
                    let n = shuffle.index(pairs.len());
                    pairs.rotate_left(n);
                }
                let raw = pairs
                    .iter()
                    .map(|(k, v)| format!("{}={}", encode(k, &choices), encode(v, &choices)))
                    .collect::<Vec<_>>()
                    .join("&");
                Query { want, raw }
            },
        )
}

fn bad_query(e: &ApiError) -> Result<(), TestCaseError> {
    prop_assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
    prop_assert_eq!(e.code, ErrorCode::InvalidQuery);
    prop_assert!(e.details.get("reason").is_some(), "{:?}", e.details);
    Ok(())
}

proptest! {
    // 1,000 cases each: about 1 s for the two.
    #![proptest_config(config(1_000, 0x7175_6572_7973))]

    /// A generated query reads back exactly what was put in; empty values are absent.
    #[test]
    fn queries_read_back_what_was_sent(q in query()) {
        let got = parse_query::<Filter>(&q.raw);
        let err = got.as_ref().err();
        prop_assert_eq!(got.as_ref().ok(), Some(&q.want), "{:?} -> {:?}", q.raw, err);
    }

    /// Any query string: read or refused as a bad query; adding empty parameters changes
    /// nothing; a free-form map never holds a blank value.
    #[test]
    fn any_query_is_read_or_refused(
        raw in prop_oneof![
            any::<String>(),
            "([a-zA-Z]{1,10}(=[^&]{0,8})?&?){0,6}",
            "((status|page|limit|minTotal|offset|active|customerId)=[-+0-9a-z.%&=+ ]{0,8}&){0,6}",
        ],
        empties in prop::collection::vec(
            prop::sample::select(vec!["status", "page", "active", "x"]),
            0..3,
        ),
    ) {
        let got = parse_query::<Filter>(&raw);
        if let Err(e) = &got {
            bad_query(e)?;
        }
        let padded = empties.iter().fold(raw.clone(), |q, k| format!("{q}&{k}="));
        let again = parse_query::<Filter>(&padded);
        // Compared as text: `minTotal=NaN` reads as a NaN, which equals nothing.
        prop_assert_eq!(
            format!("{:?}", got.ok()),
            format!("{:?}", again.ok()),
            "{:?} vs {:?}",
            raw,
            padded
        );

        let map = parse_query::<HashMap<String, String>>(&raw);
        prop_assert!(map.is_ok(), "{:?}", map.err());
        if let Ok(m) = map {
            prop_assert!(m.values().all(|v| !v.trim().is_empty()), "{m:?}");
        }
    }
}
