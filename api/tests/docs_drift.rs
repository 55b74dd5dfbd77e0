//! The committed API documents must be what the generator makes from the code now:
//! docs/openapi.json, docs/NexusOMS_API_Collection.json and the generated section of
//! docs/API_DOCUMENTATION.md. A route, schema or annotation change without regenerating
//! fails here with the command to run.

use nexus_api::docs::{self, REGENERATE};
use serde_json::Value;

#[test]
fn committed_api_documents_match_the_code() {
    let dir = docs::default_dir();
    let generated = docs::generate();
    let drifted = docs::drifted(&dir, &generated).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        drifted.is_empty(),
        "API documents out of date: {}\nrun `{REGENERATE}` and commit the result",
        drifted
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
}

#[test]
fn generation_is_deterministic() {
    assert_eq!(docs::generate(), docs::generate());
}

/// Every documented operation appears in each document: the OpenAPI file, the endpoint
/// reference, and the Postman collection (all but the WebSocket).
#[test]
fn every_endpoint_is_in_every_document() {
    let g = docs::generate();
    let openapi: Value = serde_json::from_str(&g.openapi).unwrap();
    let postman: Value = serde_json::from_str(&g.postman).unwrap();
    let mut requests = Vec::new();
    for folder in postman["item"].as_array().unwrap() {
        for item in folder["item"].as_array().unwrap() {
            requests.push((
                item["request"]["method"].as_str().unwrap().to_string(),
                item["request"]["url"]["path"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap().to_string())
                    .collect::<Vec<_>>(),
            ));
        }
    }
    let ops = docs::operations(&openapi);
    assert!(ops.len() >= 10);
    for op in &ops {
        let method = op.method.to_uppercase();
        assert!(
            g.markdown_section
                .contains(&format!("#### `{method} {}`", op.path)),
            "{method} {} missing from the endpoint reference",
            op.path
        );
        if op.is_websocket() {
            continue;
        }
        let segments: Vec<String> = op
            .path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.strip_prefix('{')
                    .and_then(|s| s.strip_suffix('}'))
                    .map(|v| format!(":{v}"))
                    .unwrap_or_else(|| s.to_string())
            })
            .collect();
        assert!(
            requests.contains(&(method.clone(), segments)),
            "{method} {} missing from the Postman collection",
            op.path
        );
    }
}

#[test]
fn the_postman_collection_has_the_variables_auth_and_login_script() {
    let c: Value = serde_json::from_str(&docs::generate().postman).unwrap();
    assert_eq!(
        c["info"]["schema"],
        "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
    );
    let vars: Vec<(&str, &str)> = c["variable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["key"].as_str().unwrap(), v["value"].as_str().unwrap()))
        .collect();
    assert!(vars.contains(&("baseUrl", "http://localhost:3000")));
    assert!(vars.iter().any(|(k, _)| *k == "token"));
    assert_eq!(c["auth"]["type"], "bearer");
    assert_eq!(c["auth"]["bearer"][0]["value"], "{{token}}");

    let auth = c["item"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Authentication")
        .expect("an Authentication folder");
    let login = &auth["item"][0];
    assert_eq!(login["request"]["method"], "POST");
    assert_eq!(login["request"]["url"]["raw"], "{{baseUrl}}/api/login");
    assert_eq!(login["request"]["auth"]["type"], "noauth");
    let script = login["event"][0]["script"]["exec"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(script.contains("pm.collectionVariables.set(\"token\", body.token)"));
    let body: Value =
        serde_json::from_str(login["request"]["body"]["raw"].as_str().unwrap()).unwrap();
    // The demo sign-in, in variables a user can change for their own server.
    assert_eq!(body["email"], "{{adminEmail}}");
    assert_eq!(body["password"], "{{adminPassword}}");
    assert!(vars.contains(&("adminEmail", "admin@nexusoms.com")));
    assert!(vars.contains(&("adminPassword", "admin123")));
}

/// The login curl of the endpoint reference is the task list's TASK 3 command.
#[test]
fn the_reference_shows_the_task_lists_login_command() {
    let md = docs::generate().markdown_section;
    assert!(md.contains(
        "curl -X POST \"http://localhost:3000/api/login\" \\\n  -H \"Content-Type: application/json\" \\\n  -d '{\"email\":\"admin@nexusoms.com\",\"password\":\"admin123\"}'"
    ), "{md}");
}

/// Every `$ref` in the document names a schema it defines: a response type documented
/// through `IntoResponses` does not register what it refers to on its own.
#[test]
fn every_schema_reference_resolves() {
    let doc: Value = serde_json::to_value(nexus_api::openapi::document()).unwrap();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let text = doc.to_string();
    let dangling: Vec<&str> = text
        .split("\"#/components/schemas/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|name| !schemas.contains_key(*name))
        .collect();
    assert!(dangling.is_empty(), "undefined schemas: {dangling:?}");
}
