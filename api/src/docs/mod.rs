//! The API documents, generated from the OpenAPI document that the annotated handlers
//! produce — never hand-kept, so they cannot drift from the code (the legacy docs did, api.md
//! §8.4 item 42):
//! * `docs/openapi.json` — the document itself, pretty-printed with sorted keys;
//! * `docs/NexusOMS_API_Collection.json` — a Postman v2.1 collection ([`postman`]);
//! * the endpoint reference inside `docs/API_DOCUMENTATION.md`, between
//!   [`BEGIN_MARKER`] and [`END_MARKER`] ([`markdown`]), and its "Error codes" table, between
//!   [`errors::ERRORS_BEGIN`] and [`errors::ERRORS_END`], from the `ErrorCode` enum
//!   ([`errors`]); the rest of that file is written by hand.
//!
//! `cargo run -p nexus-api --bin nexus-docs` writes them; `tests/docs_drift.rs` regenerates
//! in memory and fails when a committed file differs.

pub mod errors;
pub mod markdown;
pub mod postman;
pub mod postman_flow;
pub mod schema;

use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

pub const OPENAPI_FILE: &str = "openapi.json";
pub const POSTMAN_FILE: &str = "NexusOMS_API_Collection.json";
pub const MARKDOWN_FILE: &str = "API_DOCUMENTATION.md";
pub const BEGIN_MARKER: &str = "<!-- BEGIN GENERATED -->";
pub const END_MARKER: &str = "<!-- END GENERATED -->";
/// The command that regenerates everything (quoted by the drift test's failure message).
pub const REGENERATE: &str = "cargo run -p nexus-api --bin nexus-docs";
/// Where examples point: the default local API.
pub const BASE_URL: &str = "http://localhost:3000";

/// HTTP methods in the order documents list them.
const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// One documented operation, flattened from the OpenAPI document.
#[derive(Debug, Clone)]
pub struct Operation {
    pub method: String,
    pub path: String,
    pub tag: String,
    pub summary: String,
    pub description: String,
    pub operation_id: String,
    /// No bearer token needed.
    pub public: bool,
    pub parameters: Vec<Value>,
    /// `(media type, schema)` of the request body, when there is one.
    pub body: Option<(String, Value)>,
    pub body_required: bool,
    /// `(status, description, media type of the body if any, schema)`.
    pub responses: Vec<(String, String, Option<String>, Option<Value>)>,
}

impl Operation {
    /// A WebSocket endpoint (documented with a `101` response).
    pub fn is_websocket(&self) -> bool {
        self.responses.iter().any(|(s, ..)| s == "101")
    }

    /// The first sentence of the summary, for titles.
    pub fn title(&self) -> String {
        let s = one_line(&self.summary);
        let first = match s.find(". ") {
            Some(i) => &s[..i],
            None => s.trim_end_matches('.'),
        };
        if first.is_empty() {
            format!("{} {}", self.method.to_uppercase(), self.path)
        } else {
            first.to_string()
        }
    }
}

/// Joins a doc comment's lines into one line.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every operation, sorted by path then method.
pub fn operations(doc: &Value) -> Vec<Operation> {
    let mut ops = Vec::new();
    let Some(paths) = doc["paths"].as_object() else {
        return ops;
    };
    let mut path_names: Vec<&String> = paths.keys().collect();
    path_names.sort();
    for path in path_names {
        let item = &paths[path];
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let public = match op.get("security").and_then(Value::as_array) {
                None => true,
                // `security: [{}]` also means "optional".
                Some(reqs) => reqs
                    .iter()
                    .all(|r| r.as_object().is_some_and(Map::is_empty)),
            };
            let mut parameters: Vec<Value> = item
                .get("parameters")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            parameters.extend(
                op.get("parameters")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
            );
            let body = op
                .pointer("/requestBody/content")
                .and_then(Value::as_object)
                .and_then(|c| {
                    // Prefer JSON when several media types are offered.
                    c.get("application/json")
                        .map(|m| ("application/json".to_string(), m))
                        .or_else(|| c.iter().next().map(|(k, m)| (k.clone(), m)))
                })
                .map(|(k, m)| (k, m.get("schema").cloned().unwrap_or(Value::Null)));
            let mut responses: Vec<(String, String, Option<String>, Option<Value>)> = op
                .get("responses")
                .and_then(Value::as_object)
                .map(|r| {
                    r.iter()
                        .map(|(status, resp)| {
                            let content = resp.get("content").and_then(Value::as_object);
                            let media = content.and_then(|c| c.keys().next().cloned());
                            let schema = content
                                .and_then(|c| c.values().next())
                                .and_then(|m| m.get("schema"))
                                .cloned();
                            (
                                status.clone(),
                                one_line(resp["description"].as_str().unwrap_or_default()),
                                media,
                                schema,
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            responses.sort_by(|a, b| a.0.cmp(&b.0));
            ops.push(Operation {
                method: method.to_string(),
                path: path.clone(),
                tag: op["tags"][0].as_str().unwrap_or("Other").to_string(),
                summary: op["summary"].as_str().unwrap_or_default().to_string(),
                description: op["description"].as_str().unwrap_or_default().to_string(),
                operation_id: op["operationId"].as_str().unwrap_or_default().to_string(),
                public,
                parameters,
                body,
                body_required: op
                    .pointer("/requestBody/required")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                responses,
            });
        }
    }
    ops
}

/// Tag names in the document's declared order, then any others alphabetically.
pub fn tag_order(doc: &Value, ops: &[Operation]) -> Vec<String> {
    let mut order: Vec<String> = doc["tags"]
        .as_array()
        .map(|t| {
            t.iter()
                .filter_map(|t| t["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut others: Vec<String> = ops
        .iter()
        .map(|o| o.tag.clone())
        .filter(|t| !order.contains(t))
        .collect();
    others.sort();
    others.dedup();
    order.extend(others);
    order.retain(|t| ops.iter().any(|o| &o.tag == t));
    order
}

/// Rebuilds every object with its keys sorted, so the file is stable whatever order the
/// generator inserted them in (serde_json keeps insertion order in this workspace).
pub fn sorted(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(String, Value)> = m.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(a) => Value::Array(a.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// Pretty JSON with a final newline.
pub fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// Everything the generator produces.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    pub openapi: String,
    pub postman: String,
    /// The endpoint reference, including the markers.
    pub markdown_section: String,
    /// The "Error codes" table, including its markers.
    pub error_codes_section: String,
}

/// Generates every document from the live OpenAPI document.
pub fn generate() -> Generated {
    let doc = serde_json::to_value(crate::openapi::document()).unwrap_or(Value::Null);
    generate_from(&doc)
}

pub fn generate_from(doc: &Value) -> Generated {
    let doc = sorted(doc.clone());
    Generated {
        openapi: pretty(&doc),
        postman: pretty(&postman::collection(&doc)),
        markdown_section: markdown::section(&doc),
        error_codes_section: errors::section(crate::error::ErrorCode::ALL),
    }
}

/// Replaces the generated section of API_DOCUMENTATION.md, keeping the hand-written rest.
pub fn splice(existing: &str, section: &str) -> Result<String, String> {
    splice_between(existing, BEGIN_MARKER, END_MARKER, section)
}

/// Replaces what lies between `begin_marker` and `end_marker` (both included) with
/// `section`, which carries the markers itself.
pub fn splice_between(
    existing: &str,
    begin_marker: &str,
    end_marker: &str,
    section: &str,
) -> Result<String, String> {
    let begin = existing
        .find(begin_marker)
        .ok_or_else(|| format!("{MARKDOWN_FILE} has no `{begin_marker}` line"))?;
    let end = existing[begin..]
        .find(end_marker)
        .map(|i| begin + i + end_marker.len())
        .ok_or_else(|| format!("{MARKDOWN_FILE} has no `{end_marker}` after the begin marker"))?;
    Ok(format!(
        "{}{}{}",
        &existing[..begin],
        section.trim_end(),
        &existing[end..]
    ))
}

/// The repository's `docs/` folder.
pub fn default_dir() -> PathBuf {
    let api = Path::new(env!("CARGO_MANIFEST_DIR"));
    api.parent().unwrap_or(api).join("docs")
}

/// The files as they should be, given the current hand-written markdown.
pub fn expected_files(dir: &Path, g: &Generated) -> Result<Vec<(PathBuf, String)>, String> {
    let md_path = dir.join(MARKDOWN_FILE);
    let md = std::fs::read_to_string(&md_path)
        .map_err(|e| format!("cannot read {}: {e}", md_path.display()))?;
    Ok(vec![
        (dir.join(OPENAPI_FILE), g.openapi.clone()),
        (dir.join(POSTMAN_FILE), g.postman.clone()),
        (
            md_path,
            splice_between(
                &splice(&md, &g.markdown_section)?,
                errors::ERRORS_BEGIN,
                errors::ERRORS_END,
                &g.error_codes_section,
            )?,
        ),
    ])
}

/// The files under `dir` that differ from what the generator produces now.
pub fn drifted(dir: &Path, g: &Generated) -> Result<Vec<PathBuf>, String> {
    Ok(expected_files(dir, g)?
        .into_iter()
        .filter(|(path, want)| std::fs::read_to_string(path).ok().as_deref() != Some(want))
        .map(|(path, _)| path)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn splice_replaces_only_between_the_markers() {
        let md = format!("# Title\nhand\n{BEGIN_MARKER}\nold\n{END_MARKER}\ntail\n");
        let out = splice(&md, &format!("{BEGIN_MARKER}\nnew\n{END_MARKER}\n")).unwrap();
        assert_eq!(
            out,
            format!("# Title\nhand\n{BEGIN_MARKER}\nnew\n{END_MARKER}\ntail\n")
        );
        assert!(splice("no markers", "x").is_err());
    }

    #[test]
    fn keys_are_sorted_at_every_depth() {
        let v = sorted(json!({ "b": 1, "a": { "d": [ { "z": 1, "y": 2 } ], "c": 0 } }));
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"a":{"c":0,"d":[{"y":2,"z":1}]},"b":1}"#
        );
    }
}
