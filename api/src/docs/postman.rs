//! The Postman v2.1 collection (seed-tasks TASK 4), produced from the OpenAPI document and the
//! session of [`super::postman_flow`]: a run a newcomer can start top to bottom against a
//! fresh server with the demo data, and that newman checks in the tests.
//!
//! * Folders: the seven the task list names (Authentication, PMS, Clearance Orders,
//!   Packaging Inventory, Bulk Upload, AI Insights, Logistics), matched by path so they hold
//!   the 18 headline endpoints whatever tags the handlers use; every other endpoint goes in a
//!   folder named after its OpenAPI tag. Folders and their requests come in run order.
//! * The run signs in first (`adminEmail` / `adminPassword`, the demo admin by default),
//!   reads and writes through every folder, and ends with the token refresh, the password
//!   change and the logout, which live in the Authentication folder: the test scripts jump
//!   there with `pm.execution.setNextRequest` after the last folder, and stop after the
//!   logout, so a collection run sends each request exactly once, in the session's order.
//! * Every request has a test script: the exact status this call gets in the session, the
//!   media type, the fields the document marks required, the flow's own checks (`success`,
//!   the id that was sent, a list where a list is expected), and the ids later requests use,
//!   kept with `pm.collectionVariables.set`. Refusals the session expects check the error
//!   code.
//! * Collection variables `baseUrl` (http://localhost:3000), `token`, `refreshToken`, the
//!   settings of [`postman_flow::SETTINGS`] and every id a test keeps; collection-level bearer
//!   auth `{{token}}`, with public endpoints set to "no auth".
//! * Uploads are multipart with the fixture files in docs/postman/, referenced relative to
//!   the collection's folder: run newman with `--working-dir docs` (Postman: set the working
//!   directory to docs/).
//! * `GET /ws` is left out: Postman's collection format has no WebSocket requests (see the
//!   WebSocket section of API_DOCUMENTATION.md).
//!
//! Run it against a fresh demo server (`NEXUS_DATA_DIR=$(mktemp -d) ./scripts/run.sh`):
//!
//! ```text
//! newman run docs/NexusOMS_API_Collection.json --working-dir docs \
//!   --env-var baseUrl=http://localhost:3000
//! ```
//!
//! `api/tests/postman_collection.rs` does exactly that against the test harness's server.

use super::postman_flow::{self, Body, Check, Part, SETTINGS, Source, Step};
use super::schema::{example, parameter_example, resolve};
use super::{BASE_URL, Operation, one_line, operations, tag_order};
use serde_json::{Value, json};

/// The task list's folders, in its order, with the paths that belong in each. A prefix
/// matches the path itself and anything below it (`/api/orders/bulk` takes
/// `/api/orders/bulk/template` but not `/api/orders/bulk-update`).
pub const SEED_FOLDERS: [(&str, &[&str]); 7] = [
    ("Authentication", &["/api/login", "/api/auth"]),
    ("PMS", &["/api/pms"]),
    (
        "Clearance Orders",
        &["/api/orders/clearance", "/api/products/expiring"],
    ),
    ("Packaging Inventory", &["/api/packaging"]),
    ("Bulk Upload", &["/api/orders/bulk"]),
    ("AI Insights", &["/api/ai"]),
    ("Logistics", &["/api/logistics"]),
];

fn under(path: &str, prefix: &str) -> bool {
    path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The folder an operation goes in.
pub fn folder_of(op: &Operation) -> String {
    SEED_FOLDERS
        .iter()
        .find(|(_, prefixes)| prefixes.iter().any(|p| under(&op.path, p)))
        .map(|(name, _)| name.to_string())
        .unwrap_or_else(|| op.tag.clone())
}

/// `METHOD /path`, the key of the flow's rows.
pub fn op_key(op: &Operation) -> String {
    format!("{} {}", op.method.to_uppercase(), op.path)
}

/// The request's name, unique in the collection (the run's jumps address requests by it).
pub fn item_name(op: &Operation) -> String {
    format!("{} — {} {}", op.title(), op.method.to_uppercase(), op.path)
}

/// The status the step expects: its own, else the document's first 2xx, else 200.
pub fn expected_status(op: &Operation, step: &Step) -> u16 {
    step.status.unwrap_or_else(|| {
        op.responses
            .iter()
            .filter_map(|(s, ..)| s.parse::<u16>().ok())
            .find(|s| (200..300).contains(s))
            .unwrap_or(200)
    })
}

/// The media type the step's answer has: the step's download type, else the document's.
fn answer_media(op: &Operation, step: &Step, status: u16) -> Option<String> {
    step.download.map(str::to_string).or_else(|| {
        op.responses
            .iter()
            .find(|(s, ..)| *s == status.to_string())
            .and_then(|(_, _, media, _)| media.clone())
    })
}

fn is_json(media: Option<&str>) -> bool {
    media.is_none_or(|m| m.contains("json"))
}

/// A JavaScript string literal.
fn js(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// `data.items.0.id` → `body.data.items[0].id`; `""` → `body`.
fn js_path(field: &str) -> String {
    let mut out = "body".to_string();
    for seg in field.split('.').filter(|s| !s.is_empty()) {
        let ident = seg
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if seg.chars().all(|c| c.is_ascii_digit()) {
            out.push_str(&format!("[{seg}]"));
        } else if ident {
            out.push('.');
            out.push_str(seg);
        } else {
            out.push_str(&format!("[{}]", js(seg)));
        }
    }
    out
}

fn label(field: &str) -> String {
    if field.is_empty() {
        "the body".to_string()
    } else {
        field.to_string()
    }
}

fn test(name: &str, body: &str) -> String {
    format!("pm.test({}, function () {{ {body} }});", js(name))
}

fn check_line(check: &Check) -> String {
    match check {
        Check::Success => test("success is true", "pm.expect(body.success).to.eql(true);"),
        Check::Is(f, v) => test(
            &format!("{} is {v}", label(f)),
            &format!("pm.expect({}).to.eql({v});", js_path(f)),
        ),
        Check::IsVar(f, var) => test(
            &format!("{} is the {var} sent", label(f)),
            &format!(
                "pm.expect({}).to.eql(pm.collectionVariables.get({}));",
                js_path(f),
                js(var)
            ),
        ),
        Check::List(f) => test(
            &format!("{} is a list", label(f)),
            &format!("pm.expect({}).to.be.an(\"array\");", js_path(f)),
        ),
        Check::Listed(f) => test(
            &format!("{} is a list that is not empty", label(f)),
            &format!(
                "pm.expect({}).to.be.an(\"array\").that.is.not.empty;",
                js_path(f)
            ),
        ),
        Check::Present(f) => test(
            &format!("{} is there", label(f)),
            &format!("pm.expect({}).to.exist;", js_path(f)),
        ),
    }
}

fn keep_line(var: &str, source: &Source) -> String {
    let set = |value: &str| format!("pm.collectionVariables.set({}, {value});", js(var));
    let body = match source {
        Source::Field(f) => format!("pm.expect({0}).to.exist; {1}", js_path(f), set(&js_path(f))),
        Source::QueryOf(f, param) => {
            let found = format!(
                "new RegExp({}).exec({})",
                js(&format!("[?&]{param}=([^&]+)")),
                js_path(f)
            );
            format!("const m = {found}; pm.expect(m).to.exist; {}", set("m[1]"))
        }
        Source::Variable(other) => set(&format!("pm.collectionVariables.get({})", js(other))),
        Source::Empty => set("\"\""),
    };
    test(&format!("keeps {var}"), &body)
}

/// Required fields of the documented answer, and whether it is a list.
fn documented_shape(doc: &Value, op: &Operation, status: u16) -> (bool, Vec<String>) {
    let Some(schema) = op
        .responses
        .iter()
        .find(|(s, ..)| *s == status.to_string())
        .and_then(|(.., schema)| schema.as_ref())
    else {
        return (false, vec![]);
    };
    let s = resolve(doc, schema);
    let list = s["type"] == "array";
    let mut required: Vec<String> = Vec::new();
    let parts = std::iter::once(s).chain(
        s["allOf"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| resolve(doc, p)),
    );
    for part in parts {
        for r in part["required"].as_array().into_iter().flatten() {
            if let Some(r) = r.as_str().filter(|r| !required.iter().any(|x| x == r)) {
                required.push(r.to_string());
            }
        }
    }
    (list, required)
}

/// The checks of the answer the step expects (after its status test).
fn answer_lines(doc: &Value, op: &Operation, step: &Step, status: u16) -> Vec<String> {
    let media = answer_media(op, step, status);
    let mut lines = Vec::new();
    if !is_json(media.as_deref()) {
        let media = media.unwrap_or_default();
        lines.push(test(
            &format!("the answer is {media}"),
            &format!(
                "pm.expect(pm.response.headers.get(\"Content-Type\")).to.include({}); pm.expect(pm.response.responseSize).to.be.above(0);",
                js(&media)
            ),
        ));
        return lines;
    }
    lines.push("let body;".to_string());
    lines.push(test("the answer is JSON", "body = pm.response.json();"));
    let (list, required) = documented_shape(doc, op, status);
    if list {
        lines.push(check_line(&Check::List("")));
    }
    if !required.is_empty() {
        let keys: Vec<String> = required.iter().map(|k| js(k)).collect();
        lines.push(test(
            &format!("the documented fields are there: {}", required.join(", ")),
            &format!("pm.expect(body).to.include.all.keys({});", keys.join(", ")),
        ));
    }
    if let Some(code) = step.refused {
        lines.push(test(
            &format!("error.code is {code}"),
            &format!("pm.expect(body.error.code).to.eql({});", js(code)),
        ));
    }
    lines.extend(step.checks.iter().map(check_line));
    if !step.keep.is_empty() {
        lines.push(format!("if (pm.response.code === {status}) {{"));
        lines.extend(
            step.keep
                .iter()
                .map(|(v, s)| format!("    {}", keep_line(v, s))),
        );
        lines.push("}".to_string());
    }
    lines
}

/// Where the run goes after a request, when it is not the next one in the file.
#[derive(Debug, Clone, PartialEq)]
enum Jump {
    To(String),
    Stop,
}

fn test_script(doc: &Value, op: &Operation, step: &Step, jump: Option<&Jump>) -> Vec<String> {
    let mut lines = Vec::new();
    match jump {
        Some(Jump::To(name)) => lines.push(format!(
            "pm.execution.setNextRequest({}); // the run continues there",
            js(name)
        )),
        Some(Jump::Stop) => {
            lines.push("pm.execution.setNextRequest(null); // the last request of the run".into())
        }
        None => {}
    }
    let status = expected_status(op, step);
    let mut primary = vec![test(
        &format!("status is {status}"),
        &format!("pm.response.to.have.status({status});"),
    )];
    primary.extend(answer_lines(doc, op, step, status));
    if step.alternatives.is_empty() {
        lines.extend(primary);
        return lines;
    }
    let mut first = true;
    for alt in &step.alternatives {
        lines.push(format!(
            "{}if (pm.response.code === {}) {{",
            if first { "" } else { "} else " },
            alt.status
        ));
        lines.push(format!(
            "    {}",
            test(
                &format!("{} {}: {}", alt.status, alt.code, alt.when),
                &format!(
                    "pm.expect(pm.response.json().error.code).to.eql({});",
                    js(alt.code)
                ),
            )
        ));
        first = false;
    }
    lines.push("} else {".to_string());
    lines.extend(primary.into_iter().map(|l| format!("    {l}")));
    lines.push("}".to_string());
    lines
}

fn url(op: &Operation, step: &Step) -> Value {
    // `/api/pms/{userId}` → path segments `api`, `pms`, `:userId`.
    let segments: Vec<String> = op
        .path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(var) => format!(":{var}"),
                None => s.to_string(),
            },
        )
        .collect();
    let mut query: Vec<Value> = step
        .query
        .iter()
        .map(|(k, v)| {
            let description = op
                .parameters
                .iter()
                .find(|p| p["in"] == "query" && p["name"] == *k)
                .map(|p| one_line(p["description"].as_str().unwrap_or_default()))
                .unwrap_or_default();
            json!({ "key": k, "value": v, "description": description })
        })
        .collect();
    let mut variables = Vec::new();
    for p in &op.parameters {
        let name = p["name"].as_str().unwrap_or_default();
        let description = one_line(p["description"].as_str().unwrap_or_default());
        match p["in"].as_str() {
            Some("path") => {
                let value = step
                    .path
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
                    .or_else(|| parameter_example(&op.path, p));
                variables.push(json!({
                    "key": name,
                    "value": value.unwrap_or_default(),
                    "description": description,
                }));
            }
            Some("query") if !step.query.iter().any(|(k, _)| *k == name) => {
                let required = p["required"].as_bool().unwrap_or(false);
                query.push(json!({
                    "key": name,
                    "value": parameter_example(&op.path, p).unwrap_or_default(),
                    "description": description,
                    "disabled": !required,
                }));
            }
            _ => {}
        }
    }
    let enabled: Vec<String> = query
        .iter()
        .filter(|q| q["disabled"] != true)
        .map(|q| {
            format!(
                "{}={}",
                q["key"].as_str().unwrap_or(""),
                q["value"].as_str().unwrap_or("")
            )
        })
        .collect();
    let mut raw = format!("{{{{baseUrl}}}}/{}", segments.join("/"));
    if !enabled.is_empty() {
        raw.push('?');
        raw.push_str(&enabled.join("&"));
    }
    let mut u = json!({ "raw": raw, "host": ["{{baseUrl}}"], "path": segments });
    if !query.is_empty() {
        u["query"] = Value::Array(query);
    }
    if !variables.is_empty() {
        u["variable"] = Value::Array(variables);
    }
    u
}

fn raw_json(value: &Value, media: &str) -> (Value, Option<Value>) {
    let raw = serde_json::to_string_pretty(value).unwrap_or_default();
    (
        json!({ "mode": "raw", "raw": raw, "options": { "raw": { "language": "json" } } }),
        Some(json!({ "key": "Content-Type", "value": media })),
    )
}

/// The body and the Content-Type header it needs (multipart sets its own).
fn body(doc: &Value, op: &Operation, step: &Step) -> Option<(Value, Option<Value>)> {
    match &step.body {
        Body::Json(v) => Some(raw_json(v, "application/json")),
        Body::Form(parts) => {
            let fields: Vec<Value> = parts
                .iter()
                .map(|(key, part)| match part {
                    Part::File(src) => json!({ "key": key, "type": "file", "src": src }),
                    Part::Text(v) => json!({ "key": key, "type": "text", "value": v }),
                })
                .collect();
            Some((json!({ "mode": "formdata", "formdata": fields }), None))
        }
        Body::Example => {
            let (media, schema) = op.body.as_ref()?;
            if media == "multipart/form-data" {
                let s = resolve(doc, schema);
                let fields: Vec<Value> = s["properties"]
                    .as_object()
                    .map(|props| {
                        props
                            .iter()
                            .map(|(name, prop)| {
                                let p = resolve(doc, prop);
                                if p["format"] == "binary" || p["contentMediaType"].is_string() {
                                    json!({ "key": name, "type": "file", "src": [] })
                                } else {
                                    let v = match example(doc, prop) {
                                        Value::String(s) => s,
                                        o => o.to_string(),
                                    };
                                    json!({ "key": name, "type": "text", "value": v })
                                }
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                return Some((json!({ "mode": "formdata", "formdata": fields }), None));
            }
            Some(raw_json(&example(doc, schema), media))
        }
    }
}

fn item(doc: &Value, op: &Operation, step: &Step, jump: Option<&Jump>) -> Value {
    let mut headers = Vec::new();
    let mut description = one_line(&format!("{}\n\n{}", op.summary, op.description));
    if !step.note.is_empty() {
        description.push_str("\n\nIn the run: ");
        description.push_str(step.note);
    }
    let mut request = json!({
        "method": op.method.to_uppercase(),
        "header": [],
        "url": url(op, step),
        "description": description,
    });
    if let Some((b, content_type)) = body(doc, op, step) {
        request["body"] = b;
        headers.extend(content_type);
    }
    for (k, v) in &step.headers {
        headers.push(json!({ "key": k, "value": v }));
    }
    for p in op.parameters.iter().filter(|p| p["in"] == "header") {
        let name = p["name"].as_str().unwrap_or_default();
        if !step
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case(name))
        {
            headers.push(json!({
                "key": name,
                "value": parameter_example(&op.path, p).unwrap_or_default(),
                "disabled": true,
            }));
        }
    }
    request["header"] = Value::Array(headers);
    if op.public {
        request["auth"] = json!({ "type": "noauth" });
    }
    json!({
        "name": item_name(op),
        "request": request,
        "response": [],
        "event": [{
            "listen": "test",
            "script": { "type": "text/javascript", "exec": test_script(doc, op, step, jump) },
        }],
    })
}

/// The operations in run order, each with its row of the flow: the flow's rows the document
/// has, then any operation the flow lacks, with the document's defaults.
fn run_order(ops: &[Operation]) -> Vec<(&Operation, Step)> {
    let mut run: Vec<(&Operation, Step)> = postman_flow::flow()
        .into_iter()
        .filter_map(|s| ops.iter().find(|o| op_key(o) == s.op).map(|o| (o, s)))
        .collect();
    for op in ops {
        if !run.iter().any(|(o, _)| op_key(o) == op_key(op)) {
            run.push((op, postman_flow::step("")));
        }
    }
    run
}

/// The whole collection.
pub fn collection(doc: &Value) -> Value {
    let ops: Vec<Operation> = operations(doc)
        .into_iter()
        .filter(|o| !o.is_websocket())
        .collect();
    let run = run_order(&ops);
    // Folders in the order the run first enters them (then any left, by tag order).
    let mut folder_names: Vec<String> = Vec::new();
    for (op, _) in &run {
        let f = folder_of(op);
        if !folder_names.contains(&f) {
            folder_names.push(f);
        }
    }
    for tag in tag_order(doc, &ops) {
        if !folder_names.contains(&tag) && ops.iter().any(|o| folder_of(o) == tag) {
            folder_names.push(tag);
        }
    }
    // The file's order: folder by folder, each in run order. Where the run's next request is
    // not the file's next one, the script jumps; after the run's last request, it stops.
    let folders_of: Vec<String> = run.iter().map(|(op, _)| folder_of(op)).collect();
    let in_file: Vec<usize> = folder_names
        .iter()
        .flat_map(|f| (0..run.len()).filter(|&i| folders_of[i] == *f))
        .collect();
    let jump = |i: usize| -> Option<Jump> {
        let at = in_file.iter().position(|&j| j == i)?;
        let file_next = in_file.get(at + 1).copied();
        let run_next = (i + 1 < run.len()).then_some(i + 1);
        match (file_next, run_next) {
            (a, b) if a == b => None,
            (_, Some(n)) => Some(Jump::To(item_name(run[n].0))),
            (_, None) => Some(Jump::Stop),
        }
    };
    let tag_descriptions = |name: &str| -> String {
        doc["tags"]
            .as_array()
            .and_then(|t| t.iter().find(|t| t["name"] == name))
            .and_then(|t| t["description"].as_str())
            .unwrap_or("")
            .to_string()
    };
    let folders: Vec<Value> = folder_names
        .iter()
        .map(|name| {
            let items: Vec<Value> = in_file
                .iter()
                .filter(|&&i| folders_of[i] == *name)
                .map(|&i| item(doc, run[i].0, &run[i].1, jump(i).as_ref()))
                .collect();
            json!({ "name": name, "description": tag_descriptions(name), "item": items })
        })
        .collect();
    let mut variables = vec![
        json!({ "key": "baseUrl", "value": BASE_URL, "type": "string" }),
        json!({ "key": "token", "value": "", "type": "string", "description": "The access token; the sign-in request's test keeps it." }),
        json!({ "key": "refreshToken", "value": "", "type": "string", "description": "The refresh token; the sign-in request's test keeps it." }),
    ];
    for (key, value, description) in SETTINGS {
        variables.push(
            json!({ "key": key, "value": value, "type": "string", "description": description }),
        );
    }
    for (op, step) in &run {
        for (var, _) in &step.keep {
            if !variables.iter().any(|v| v["key"] == *var) {
                variables.push(json!({
                    "key": var,
                    "value": "",
                    "type": "string",
                    "description": format!("Kept by {}.", item_name(op)),
                }));
            }
        }
    }
    let version = doc["info"]["version"].as_str().unwrap_or("");
    json!({
        "info": {
            "name": "NexusOMS API",
            "description": format!(
                "NexusOMS API {version}, generated from docs/openapi.json by `{}`. A session to run top to bottom (Run collection, or newman) against a fresh server with the demo data (`NEXUS_DATA_DIR=$(mktemp -d) ./scripts/run.sh`): it signs in as `adminEmail` / `adminPassword` (the demo admin), whose test stores the token in the `token` collection variable that every protected request sends as a bearer token; then every request in turn, each taking the ids earlier answers returned; and last the token refresh, the password change and the logout (in the Authentication folder: the scripts jump there after the last folder). Every request's test checks the status it gets in this session and the key fields of the answer. Uploads read the files in docs/postman/ relative to the collection: `newman run docs/NexusOMS_API_Collection.json --working-dir docs --env-var baseUrl=http://localhost:3000`. WebSocket events (`GET /ws`) are described in docs/API_DOCUMENTATION.md.",
                super::REGENERATE
            ),
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "auth": { "type": "bearer", "bearer": [{ "key": "token", "value": "{{token}}", "type": "string" }] },
        "variable": variables,
        "item": folders,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(path: &str, tag: &str) -> Operation {
        Operation {
            method: "get".into(),
            path: path.into(),
            tag: tag.into(),
            summary: String::new(),
            description: String::new(),
            operation_id: String::new(),
            public: false,
            parameters: vec![],
            body: None,
            body_required: false,
            responses: vec![],
        }
    }

    #[test]
    fn the_task_lists_folders_are_matched_by_path() {
        for (path, tag, folder) in [
            ("/api/login", "Authentication", "Authentication"),
            ("/api/orders/bulk/template", "Orders", "Bulk Upload"),
            ("/api/orders/bulk-update", "Orders", "Orders"),
            (
                "/api/orders/clearance/history",
                "Orders",
                "Clearance Orders",
            ),
            ("/api/products/expiring", "Products", "Clearance Orders"),
            ("/api/products/{id}", "Products", "Products"),
            ("/api/pms/{userId}", "Performance", "PMS"),
        ] {
            assert_eq!(folder_of(&op(path, tag)), folder, "{path}");
        }
    }

    #[test]
    fn path_variables_use_postman_syntax_and_the_flows_ids() {
        let mut o = op("/api/orders/{id}", "Orders");
        o.parameters = vec![
            json!({ "name": "id", "in": "path", "required": true }),
            json!({ "name": "status", "in": "query", "required": false }),
            json!({ "name": "limit", "in": "query", "required": false }),
        ];
        let u = url(&o, &postman_flow::step(""));
        assert_eq!(u["raw"], "{{baseUrl}}/api/orders/:id");
        assert_eq!(u["path"], json!(["api", "orders", ":id"]));
        assert_eq!(u["variable"][0]["value"], "ORD-001");
        assert_eq!(u["query"][0]["disabled"], true);

        let mut s = postman_flow::step("GET /api/orders/{id}");
        s.path = vec![("id", "{{orderId}}")];
        s.query = vec![("limit", "5")];
        let u = url(&o, &s);
        assert_eq!(u["raw"], "{{baseUrl}}/api/orders/:id?limit=5");
        assert_eq!(u["variable"][0]["value"], "{{orderId}}");
        assert_eq!(u["query"][0]["key"], "limit");
        assert_eq!(u["query"][1]["disabled"], true);
    }

    #[test]
    fn fields_become_javascript_paths() {
        assert_eq!(js_path(""), "body");
        assert_eq!(
            js_path("data.items.0.allocatedBatches.0.batchNumber"),
            "body.data.items[0].allocatedBatches[0].batchNumber"
        );
        assert_eq!(
            js_path("stepAccess.Placed Order"),
            "body.stepAccess[\"Placed Order\"]"
        );
    }

    fn live() -> Value {
        super::super::sorted(serde_json::to_value(crate::openapi::document()).unwrap())
    }

    fn jump_of(item: &Value) -> Option<Option<String>> {
        item["event"][0]["script"]["exec"]
            .as_array()?
            .iter()
            .filter_map(Value::as_str)
            .find_map(|l| l.strip_prefix("pm.execution.setNextRequest("))
            .map(|rest| {
                let arg = &rest[..rest.find(");").unwrap_or(rest.len())];
                serde_json::from_str::<Option<String>>(arg).unwrap()
            })
    }

    /// What a collection run does: from the first request, the next in the file unless a
    /// script jumps, until a script stops the run or the file ends.
    #[test]
    fn a_collection_run_sends_every_request_once_in_the_flows_order() {
        let c = collection(&live());
        let items: Vec<&Value> = c["item"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|f| f["item"].as_array().unwrap())
            .collect();
        let mut sent: Vec<String> = Vec::new();
        let mut at = Some(0);
        while let Some(i) = at {
            assert!(sent.len() <= items.len(), "the run loops: {sent:?}");
            let it = items[i];
            sent.push(it["name"].as_str().unwrap().to_string());
            at = match jump_of(it) {
                None => (i + 1 < items.len()).then_some(i + 1),
                Some(None) => None,
                Some(Some(name)) => Some(
                    items
                        .iter()
                        .position(|x| x["name"] == name.as_str())
                        .unwrap_or_else(|| panic!("no request named {name}")),
                ),
            };
        }
        assert_eq!(sent.len(), items.len(), "{sent:#?}");
        let doc = live();
        let ops = operations(&doc);
        let flow_names: Vec<String> = postman_flow::flow()
            .iter()
            .filter_map(|s| ops.iter().find(|o| op_key(o) == s.op).map(item_name))
            .collect();
        assert_eq!(sent[..flow_names.len()], flow_names[..]);
        assert!(sent[0].ends_with("POST /api/login"));
        assert!(sent.last().unwrap().ends_with("POST /api/auth/logout"));
    }

    #[test]
    fn every_request_has_a_status_test() {
        let c = collection(&live());
        for folder in c["item"].as_array().unwrap() {
            for item in folder["item"].as_array().unwrap() {
                let exec = item["event"][0]["script"]["exec"].to_string();
                assert!(
                    exec.contains("pm.response.to.have.status("),
                    "{}",
                    item["name"]
                );
            }
        }
    }
}
