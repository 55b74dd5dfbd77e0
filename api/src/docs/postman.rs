//! The Postman v2.1 collection (seed-tasks TASK 4), produced from the OpenAPI document.
//!
//! * Folders: the seven the task list names (Authentication, PMS, Clearance Orders,
//!   Packaging Inventory, Bulk Upload, AI Insights, Logistics), matched by path so they hold
//!   the 18 headline endpoints whatever tags the handlers use; every other endpoint goes in a
//!   folder named after its OpenAPI tag.
//! * Collection variables `baseUrl` (http://localhost:3000) and `token`; collection-level
//!   bearer auth `{{token}}`, with public endpoints set to "no auth".
//! * Every request whose response carries a `token` (login, refresh, password change) has a
//!   test script that stores it in `token`, so "Login" then anything else just works.
//! * Bodies are example values of the request schema; path variables carry seeded demo ids.
//! * `GET /ws` is left out: Postman's collection format has no WebSocket requests (see the
//!   WebSocket section of API_DOCUMENTATION.md).

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

/// The test script that keeps the token from a sign-in response.
fn token_script() -> Value {
    json!([{
        "listen": "test",
        "script": {
            "type": "text/javascript",
            "exec": [
                "pm.test(\"signed in\", function () { pm.response.to.have.status(200); });",
                "const body = pm.response.json();",
                "if (body.token) { pm.collectionVariables.set(\"token\", body.token); }",
                "if (body.refreshToken) { pm.collectionVariables.set(\"refreshToken\", body.refreshToken); }"
            ]
        }
    }])
}

fn returns_a_token(doc: &Value, op: &Operation) -> bool {
    op.responses.iter().any(|(status, _, _, schema)| {
        status.starts_with('2')
            && schema
                .as_ref()
                .is_some_and(|s| resolve(doc, s).pointer("/properties/token").is_some())
    })
}

fn url(op: &Operation) -> Value {
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
    let mut query = Vec::new();
    let mut variables = Vec::new();
    for p in &op.parameters {
        let name = p["name"].as_str().unwrap_or_default();
        let description = one_line(p["description"].as_str().unwrap_or_default());
        let value = parameter_example(&op.path, p);
        match p["in"].as_str() {
            Some("path") => variables.push(json!({
                "key": name,
                "value": value.unwrap_or_default(),
                "description": description,
            })),
            Some("query") => {
                let required = p["required"].as_bool().unwrap_or(false);
                query.push(json!({
                    "key": name,
                    "value": value.clone().unwrap_or_default(),
                    "description": description,
                    "disabled": !(required || value.is_some()),
                }));
            }
            _ => {}
        }
    }
    let enabled: Vec<String> = query
        .iter()
        .filter(|q| q["disabled"] == false)
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

fn body(doc: &Value, op: &Operation) -> Option<(Value, Option<Value>)> {
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
                            let v = example(doc, prop);
                            json!({ "key": name, "type": "text", "value": match v { Value::String(s) => s, o => o.to_string() } })
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        return Some((json!({ "mode": "formdata", "formdata": fields }), None));
    }
    let mut value = example(doc, schema);
    // Bodies that carry a token use the collection variable the login script fills.
    if let Some(o) = value.as_object_mut() {
        for var in ["token", "refreshToken"] {
            if let Some(v) = o.get_mut(var).filter(|v| v.is_string()) {
                *v = Value::String(format!("{{{{{var}}}}}"));
            }
        }
    }
    let raw = serde_json::to_string_pretty(&value).unwrap_or_default();
    Some((
        json!({ "mode": "raw", "raw": raw, "options": { "raw": { "language": "json" } } }),
        Some(json!({ "key": "Content-Type", "value": media })),
    ))
}

fn item(doc: &Value, op: &Operation) -> Value {
    let mut headers = Vec::new();
    let mut request = json!({
        "method": op.method.to_uppercase(),
        "header": [],
        "url": url(op),
        "description": one_line(&format!("{}\n\n{}", op.summary, op.description)),
    });
    if let Some((b, content_type)) = body(doc, op) {
        request["body"] = b;
        headers.extend(content_type);
    }
    request["header"] = Value::Array(headers);
    if op.public {
        request["auth"] = json!({ "type": "noauth" });
    }
    let mut it = json!({
        "name": format!("{} — {} {}", op.title(), op.method.to_uppercase(), op.path),
        "request": request,
        "response": [],
    });
    if returns_a_token(doc, op) {
        it["event"] = token_script();
    }
    it
}

/// A folder's requests: the legacy login first, then other requests that hand out tokens,
/// then the rest by path.
fn folder_items(doc: &Value, ops: &[Operation], folder: &str) -> Vec<Value> {
    let mut mine: Vec<&Operation> = ops.iter().filter(|o| folder_of(o) == folder).collect();
    mine.sort_by_key(
        |o| match (o.path.as_str(), o.public && returns_a_token(doc, o)) {
            ("/api/login", _) => 0,
            (_, true) => 1,
            _ => 2,
        },
    );
    mine.into_iter().map(|o| item(doc, o)).collect()
}

/// The whole collection.
pub fn collection(doc: &Value) -> Value {
    let ops: Vec<Operation> = operations(doc)
        .into_iter()
        .filter(|o| !o.is_websocket())
        .collect();
    let mut folder_names: Vec<String> = SEED_FOLDERS
        .iter()
        .map(|(n, _)| n.to_string())
        .filter(|n| ops.iter().any(|o| folder_of(o) == *n))
        .collect();
    for tag in tag_order(doc, &ops) {
        if !folder_names.contains(&tag) && ops.iter().any(|o| folder_of(o) == tag) {
            folder_names.push(tag);
        }
    }
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
            json!({
                "name": name,
                "description": tag_descriptions(name),
                "item": folder_items(doc, &ops, name),
            })
        })
        .collect();
    let version = doc["info"]["version"].as_str().unwrap_or("");
    json!({
        "info": {
            "name": "NexusOMS API",
            "description": format!(
                "NexusOMS API {version}, generated from docs/openapi.json by `{}`. Run the sign-in request first (Authentication folder, POST /api/login): its test script stores the token in the `token` collection variable, which every protected request sends as a bearer token. WebSocket events (`GET /ws`) are described in docs/API_DOCUMENTATION.md.",
                super::REGENERATE
            ),
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "auth": { "type": "bearer", "bearer": [{ "key": "token", "value": "{{token}}", "type": "string" }] },
        "variable": [
            { "key": "baseUrl", "value": BASE_URL, "type": "string" },
            { "key": "token", "value": "", "type": "string" },
            { "key": "refreshToken", "value": "", "type": "string" },
        ],
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
        assert_eq!(
            folder_of(&op("/api/login", "Authentication")),
            "Authentication"
        );
        assert_eq!(
            folder_of(&op("/api/orders/bulk/template", "Orders")),
            "Bulk Upload"
        );
        assert_eq!(
            folder_of(&op("/api/orders/bulk-update", "Orders")),
            "Orders"
        );
        assert_eq!(
            folder_of(&op("/api/orders/clearance/history", "Orders")),
            "Clearance Orders"
        );
        assert_eq!(
            folder_of(&op("/api/products/expiring", "Products")),
            "Clearance Orders"
        );
        assert_eq!(folder_of(&op("/api/products/{id}", "Products")), "Products");
        assert_eq!(folder_of(&op("/api/pms/{userId}", "Performance")), "PMS");
    }

    #[test]
    fn path_variables_use_postman_syntax_and_seeded_ids() {
        let mut o = op("/api/orders/{id}", "Orders");
        o.parameters = vec![
            json!({ "name": "id", "in": "path", "required": true }),
            json!({ "name": "status", "in": "query", "required": false }),
        ];
        let u = url(&o);
        assert_eq!(u["raw"], "{{baseUrl}}/api/orders/:id");
        assert_eq!(u["path"], json!(["api", "orders", ":id"]));
        assert_eq!(u["variable"][0]["value"], "ORD-001");
        assert_eq!(u["query"][0]["disabled"], true);
    }
}
