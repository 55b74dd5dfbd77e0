//! The generated endpoint reference of API_DOCUMENTATION.md (seed-tasks TASK 5 "Endpoints
//! List"): an index table, then per endpoint the method and path, auth and the 403 note,
//! parameters, request body fields, responses, and a curl example that runs against the
//! demo data.

use super::schema::{example, fields, parameter_example, ref_name, resolve, type_name};
use super::{
    BASE_URL, BEGIN_MARKER, END_MARKER, Operation, REGENERATE, one_line, operations, tag_order,
};
use serde_json::Value;
use std::fmt::Write as _;

/// Text safe inside a table cell.
fn cell(s: &str) -> String {
    one_line(s).replace('|', "\\|")
}

/// The anchor GitHub gives a heading.
fn anchor(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn heading(op: &Operation) -> String {
    format!("`{} {}`", op.method.to_uppercase(), op.path)
}

fn auth_note(op: &Operation) -> String {
    let mut s = if op.public {
        "public (no token)".to_string()
    } else if op.is_websocket() {
        "bearer token (`Authorization` header, `?token=`, or a first `auth` message)".to_string()
    } else {
        "bearer token".to_string()
    };
    if let Some((_, d, ..)) = op.responses.iter().find(|(st, ..)| st == "403") {
        let _ = write!(s, "; 403 — {}", d.trim_end_matches('.'));
    }
    s
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The example URL: path parameters filled with examples, required or exemplified query
/// parameters appended.
fn example_url(op: &Operation) -> String {
    let mut path = op.path.clone();
    let mut query = Vec::new();
    for p in &op.parameters {
        let name = p["name"].as_str().unwrap_or_default();
        let value = parameter_example(&op.path, p);
        match p["in"].as_str() {
            Some("path") => {
                if let Some(v) = value {
                    path = path.replace(&format!("{{{name}}}"), &v);
                }
            }
            Some("query") => {
                if let Some(v) = value {
                    query.push(format!("{name}={}", v.replace(' ', "%20")));
                } else if p["required"].as_bool().unwrap_or(false) {
                    query.push(format!("{name}=…"));
                }
            }
            _ => {}
        }
    }
    let mut url = format!("{BASE_URL}{path}");
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query.join("&"));
    }
    url
}

/// File name for a download response (`-o`), from its media type.
fn download_name(op: &Operation) -> Option<String> {
    let media = op
        .responses
        .iter()
        .find(|(s, ..)| s.starts_with('2'))
        .and_then(|(_, _, m, _)| m.clone())?;
    let ext = match media.as_str() {
        m if m.contains("json") => return None,
        m if m.contains("spreadsheetml") || m.contains("excel") => "xlsx",
        m if m.contains("csv") => "csv",
        m if m.contains("pdf") => "pdf",
        m if m.contains("xml") => "xml",
        m if m.starts_with("text/") => "txt",
        _ => "bin",
    };
    Some(format!(
        "{}.{ext}",
        if op.operation_id.is_empty() {
            "download"
        } else {
            &op.operation_id
        }
    ))
}

fn curl(doc: &Value, op: &Operation) -> String {
    if op.is_websocket() {
        return format!(
            "# Any WebSocket client; with websocat:\nwebsocat -H \"Authorization: Bearer $TOKEN\" {}/ws\n# then send: {{\"type\":\"subscribe\",\"topics\":[\"orders\"]}}",
            BASE_URL.replace("http://", "ws://")
        );
    }
    let mut lines = vec![format!(
        "curl -X {} \"{}\"",
        op.method.to_uppercase(),
        example_url(op)
    )];
    if !op.public {
        lines.push("  -H \"Authorization: Bearer $TOKEN\"".to_string());
    }
    if let Some((media, schema)) = &op.body {
        if media == "multipart/form-data" {
            let s = resolve(doc, schema);
            if let Some(props) = s["properties"].as_object() {
                for (name, prop) in props {
                    let p = resolve(doc, prop);
                    if p["format"] == "binary" || p["contentMediaType"].is_string() {
                        lines.push(format!("  -F \"{name}=@./{name}.xlsx\""));
                    } else {
                        let v = match example(doc, prop) {
                            Value::String(s) => s,
                            o => o.to_string(),
                        };
                        lines.push(format!("  -F {}", shell_quote(&format!("{name}={v}"))));
                    }
                }
            }
        } else {
            lines.push(format!("  -H \"Content-Type: {media}\""));
            let body = serde_json::to_string(&example(doc, schema)).unwrap_or_default();
            lines.push(format!("  -d {}", shell_quote(&body)));
        }
    }
    if let Some(file) = download_name(op) {
        lines.push(format!("  -o {file}"));
    }
    lines.join(" \\\n")
}

fn endpoint(doc: &Value, op: &Operation, out: &mut String) {
    let _ = writeln!(out, "#### {}\n", heading(op));
    let summary = one_line(&op.summary);
    if !summary.is_empty() {
        let _ = writeln!(out, "{summary}\n");
    }
    let description = one_line(&op.description);
    if !description.is_empty() {
        let _ = writeln!(out, "{description}\n");
    }
    let _ = writeln!(out, "**Auth:** {}.\n", auth_note(op));

    if !op.parameters.is_empty() {
        let _ = writeln!(out, "**Parameters:**\n");
        let _ = writeln!(out, "| Name | In | Type | Required | Description |");
        let _ = writeln!(out, "|---|---|---|---|---|");
        for p in &op.parameters {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                p["name"].as_str().unwrap_or_default(),
                p["in"].as_str().unwrap_or_default(),
                cell(&p.get("schema").map(type_name).unwrap_or_default()),
                if p["required"].as_bool().unwrap_or(false) {
                    "yes"
                } else {
                    "no"
                },
                cell(p["description"].as_str().unwrap_or_default()),
            );
        }
        out.push('\n');
    }

    if let Some((media, schema)) = &op.body {
        let _ = writeln!(
            out,
            "**Request body** (`{media}`{}{}):\n",
            if op.body_required { ", required" } else { "" },
            ref_name(schema)
                .map(|n| format!(", `{n}`"))
                .unwrap_or_default(),
        );
        let f = fields(doc, schema);
        if f.is_empty() {
            let _ = writeln!(out, "{}\n", cell(&type_name(schema)));
        } else {
            let _ = writeln!(out, "| Field | Type | Required | Description |");
            let _ = writeln!(out, "|---|---|---|---|");
            for (name, ty, required, desc) in f {
                let _ = writeln!(
                    out,
                    "| `{name}` | {} | {} | {} |",
                    cell(&ty),
                    if required { "yes" } else { "no" },
                    cell(&desc)
                );
            }
            out.push('\n');
        }
    }

    let _ = writeln!(out, "**Responses:**\n");
    let _ = writeln!(out, "| Status | Meaning | Body |");
    let _ = writeln!(out, "|---|---|---|");
    for (status, desc, media, schema) in &op.responses {
        let body = match (media, schema) {
            (Some(m), Some(s)) => format!("`{}` ({m})", cell(&type_name(s))),
            (Some(m), None) => m.clone(),
            _ => String::new(),
        };
        let _ = writeln!(out, "| {status} | {} | {body} |", cell(desc));
    }
    out.push('\n');
    let _ = writeln!(out, "**Example:**\n\n```bash\n{}\n```\n", curl(doc, op));
}

/// The generated section, markers included.
pub fn section(doc: &Value) -> String {
    let ops = operations(doc);
    let version = doc["info"]["version"].as_str().unwrap_or("");
    let mut out = String::new();
    let _ = writeln!(out, "{BEGIN_MARKER}");
    let _ = writeln!(
        out,
        "<!-- Generated by `{REGENERATE}` from the OpenAPI document; edit the handler annotations, not this section. -->\n"
    );
    let _ = writeln!(out, "## Endpoint reference\n");
    let _ = writeln!(
        out,
        "NexusOMS API {version}: {} endpoints. The full schemas are in [openapi.json](openapi.json) \
         (also served at `GET /api/openapi.json`); the same requests are in the Postman collection \
         [NexusOMS_API_Collection.json](NexusOMS_API_Collection.json). Examples run against the demo \
         data (`nexus-api --demo`) with `TOKEN` set as in [Authentication](#authentication).\n",
        ops.len()
    );
    let _ = writeln!(out, "| Method | Path | Auth | Summary |");
    let _ = writeln!(out, "|---|---|---|---|");
    for op in &ops {
        let _ = writeln!(
            out,
            "| `{}` | [`{}`](#{}) | {} | {} |",
            op.method.to_uppercase(),
            op.path,
            anchor(&heading(op)),
            if op.public { "public" } else { "token" },
            cell(&op.title())
        );
    }
    out.push('\n');
    for tag in tag_order(doc, &ops) {
        let _ = writeln!(out, "### {tag}\n");
        if let Some(d) = doc["tags"]
            .as_array()
            .and_then(|t| t.iter().find(|t| t["name"] == tag.as_str()))
            .and_then(|t| t["description"].as_str())
        {
            let _ = writeln!(out, "{}\n", one_line(d));
        }
        for op in ops.iter().filter(|o| o.tag == tag) {
            endpoint(doc, op, &mut out);
        }
    }
    let _ = writeln!(out, "{END_MARKER}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn anchors_match_githubs() {
        assert_eq!(anchor("`POST /api/login`"), "post-apilogin");
        assert_eq!(anchor("`GET /api/orders/{id}`"), "get-apiordersid");
        assert_eq!(
            anchor("`GET /api/orders/last-rate/{customerId}/{skuCode}`"),
            "get-apiorderslast-ratecustomeridskucode"
        );
    }

    #[test]
    fn curl_examples_quote_bodies_and_fill_parameters() {
        let doc = json!({
            "paths": {
                "/api/pms/{userId}": { "get": {
                    "tags": ["PMS"], "summary": "A record.", "security": [{ "bearer": [] }],
                    "parameters": [
                        { "name": "userId", "in": "path", "required": true, "schema": { "type": "string" } },
                        { "name": "month", "in": "query", "required": false, "schema": { "type": "string" }, "example": "Feb'26" }
                    ],
                    "responses": { "200": { "description": "OK" } }
                }},
                "/api/login": { "post": {
                    "tags": ["Authentication"], "summary": "Sign in.",
                    "requestBody": { "required": true, "content": { "application/json": { "schema": {
                        "type": "object", "properties": { "email": { "type": "string", "example": "o'neil@x.com" } }
                    }}}},
                    "responses": { "200": { "description": "OK" } }
                }}
            }
        });
        let ops = operations(&doc);
        let login = ops.iter().find(|o| o.path == "/api/login").unwrap();
        assert_eq!(
            curl(&doc, login),
            "curl -X POST \"http://localhost:3000/api/login\" \\\n  -H \"Content-Type: application/json\" \\\n  -d '{\"email\":\"o'\\''neil@x.com\"}'"
        );
        let pms = ops.iter().find(|o| o.path.starts_with("/api/pms")).unwrap();
        assert_eq!(
            curl(&doc, pms),
            "curl -X GET \"http://localhost:3000/api/pms/USER-001?month=Feb'26\" \\\n  -H \"Authorization: Bearer $TOKEN\""
        );
        let s = section(&doc);
        assert!(s.starts_with(BEGIN_MARKER) && s.trim_end().ends_with(END_MARKER));
        assert!(s.contains("| `POST` | [`/api/login`](#post-apilogin) | public | Sign in |"));
    }
}
