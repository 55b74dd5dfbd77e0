//! Reading JSON Schemas out of the OpenAPI document: following `$ref`s, naming types for
//! tables, and building example values for request bodies (the schema's own `example` wins;
//! otherwise a value of the right shape), so every curl line and Postman body is valid input.

use serde_json::{Map, Value, json};

/// Deepest nesting followed when building examples (self-referencing schemas end here).
const MAX_DEPTH: usize = 6;

/// Follows `#/components/schemas/X` references.
pub fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    let mut s = schema;
    for _ in 0..MAX_DEPTH {
        match s.get("$ref").and_then(Value::as_str) {
            Some(r) => match r.strip_prefix("#/") {
                Some(p) => s = doc.pointer(&format!("/{p}")).unwrap_or(&Value::Null),
                None => return &Value::Null,
            },
            None => return s,
        }
    }
    s
}

/// The schema name of a reference, if it is one.
pub fn ref_name(schema: &Value) -> Option<&str> {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit('/').next())
}

/// A short human name for a schema's type: `string`, `integer | null`, `array of Item`,
/// `LoginResponse`, `one of "Truck", "Tempo"`.
pub fn type_name(schema: &Value) -> String {
    if let Some(name) = ref_name(schema) {
        return name.to_string();
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let list: Vec<String> = values.iter().map(Value::to_string).collect();
        return format!("one of {}", list.join(", "));
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(alts) = schema.get(key).and_then(Value::as_array) {
            let names: Vec<String> = alts.iter().map(type_name).collect();
            return names.join(if key == "allOf" { " & " } else { " | " });
        }
    }
    let base = match schema.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" | "),
        _ => "any".to_string(),
    };
    let base = if base.starts_with("array") {
        base.replacen(
            "array",
            &format!(
                "array of {}",
                schema.get("items").map(type_name).unwrap_or("any".into())
            ),
            1,
        )
    } else {
        base
    };
    match schema.get("format").and_then(Value::as_str) {
        Some(f) if !base.contains(f) && matches!(f, "date" | "date-time" | "binary" | "email") => {
            format!("{base} ({f})")
        }
        _ => base,
    }
}

/// The names an object schema lists as `required`.
fn required_names(schema: &Value) -> Vec<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// `(name, type, required, description)` for each property of an object schema.
pub fn fields(doc: &Value, schema: &Value) -> Vec<(String, String, bool, String)> {
    let s = resolve(doc, schema);
    let required = required_names(s);
    let mut out = Vec::new();
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        for (name, prop) in props {
            out.push((
                name.clone(),
                type_name(prop),
                required.contains(&name.as_str()),
                super::one_line(
                    prop.get("description")
                        .and_then(Value::as_str)
                        .unwrap_or(""),
                ),
            ));
        }
    }
    if let Some(parts) = s.get("allOf").and_then(Value::as_array) {
        for p in parts {
            out.extend(fields(doc, p));
        }
    }
    out
}

/// The first item of the array under `key` (`examples`, `enum`), if any.
fn first_of<'a>(schema: &'a Value, key: &str) -> Option<&'a Value> {
    schema
        .get(key)
        .and_then(Value::as_array)
        .and_then(|a| a.first())
}

/// An example value of the schema.
pub fn example(doc: &Value, schema: &Value) -> Value {
    example_at(doc, schema, 0)
}

fn example_at(doc: &Value, schema: &Value, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    if let Some(e) = schema.get("example") {
        return e.clone();
    }
    if let Some(e) = first_of(schema, "examples") {
        return e.clone();
    }
    if schema.get("$ref").is_some() {
        return example_at(doc, resolve(doc, schema), depth + 1);
    }
    if let Some(d) = schema.get("default") {
        return d.clone();
    }
    if let Some(first) = first_of(schema, "enum") {
        return first.clone();
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = schema
            .get(key)
            .and_then(Value::as_array)
            .and_then(|a| a.iter().find(|s| s.get("type") != Some(&json!("null"))))
        {
            return example_at(doc, first, depth + 1);
        }
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        let mut m = Map::new();
        for p in parts {
            if let Value::Object(o) = example_at(doc, p, depth + 1) {
                m.extend(o);
            }
        }
        return Value::Object(m);
    }
    let ty = match schema.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ if schema.get("properties").is_some() => "object",
        _ => "any",
    };
    match ty {
        "object" => {
            // Required fields, plus optional ones the schema gives an example for: a minimal
            // body that is valid, not one filled with placeholder strings.
            let required = required_names(schema);
            let mut m = Map::new();
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (name, prop) in props {
                    let has_example = prop.get("example").is_some()
                        || resolve(doc, prop).get("example").is_some();
                    if !required.contains(&name.as_str()) && !has_example {
                        continue;
                    }
                    let v = match (example_at(doc, prop, depth + 1), seeded_field(name)) {
                        (Value::String(s), Some(id)) if s == "string" => json!(id),
                        (v, _) => v,
                    };
                    m.insert(name.clone(), v);
                }
            }
            Value::Object(m)
        }
        "array" => match schema.get("items") {
            Some(items) => Value::Array(vec![example_at(doc, items, depth + 1)]),
            None => json!([]),
        },
        "string" => match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => json!("2026-02-12T10:00:00.000Z"),
            Some("date") => json!("2026-02-12"),
            Some("email") => json!("user@example.com"),
            Some("binary") => json!("<file>"),
            _ => json!("string"),
        },
        "integer" => json!(
            schema
                .get("minimum")
                .and_then(Value::as_i64)
                .unwrap_or(0)
                .max(1)
        ),
        "number" => json!(
            schema
                .get("minimum")
                .and_then(Value::as_f64)
                .unwrap_or(0.0)
                .max(1.0)
        ),
        "boolean" => json!(false),
        "null" => Value::Null,
        _ => json!({}),
    }
}

/// A seeded demo id for a body field named like an id.
fn seeded_field(name: &str) -> Option<&'static str> {
    Some(match name {
        "userId" | "salespersonId" => "USER-001",
        "customerId" => "CUST-001",
        "orderId" => "ORD-001",
        "productId" => "PROD-001",
        "skuCode" => "SKU-001",
        "materialId" => "PKG-001",
        "warehouseId" => "WH-KURLA",
        _ => return None,
    })
}

/// A seeded demo id for a path parameter, so generated examples run against
/// `nexus-api --demo` as they are.
fn seeded_id(path: &str, name: &str) -> Option<&'static str> {
    let resource = path
        .trim_start_matches("/api/")
        .split('/')
        .next()
        .unwrap_or("");
    Some(match name {
        // A path names the user `userId` only; `salespersonId` is a body field's name.
        "salespersonId" => return None,
        "id" => match resource {
            "orders" => "ORD-001",
            "customers" => "CUST-001",
            "products" => "PROD-001",
            "users" => "USER-001",
            "packaging" => "PKG-001",
            "warehouse" | "warehouses" => "WH-KURLA",
            _ => return None,
        },
        _ => return seeded_field(name),
    })
}

/// The example value of a parameter as text: its own example, its schema's example or
/// default, or a seeded id for well-known path parameters.
pub fn parameter_example(path: &str, param: &Value) -> Option<String> {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    param
        .get("example")
        .or_else(|| param.pointer("/schema/example"))
        .or_else(|| param.pointer("/schema/default"))
        .map(text)
        .or_else(|| {
            (param["in"] == "path")
                .then(|| seeded_id(path, param["name"].as_str().unwrap_or("")))
                .flatten()
                .map(str::to_string)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        json!({ "components": { "schemas": {
            "Login": { "type": "object", "required": ["email", "items"], "properties": {
                "email": { "type": "string", "example": "admin@nexusoms.com", "description": "E-mail\nor id." },
                "remember": { "type": ["boolean", "null"] },
                "items": { "type": "array", "items": { "$ref": "#/components/schemas/Line" } },
                "vehicle": { "type": "string", "enum": ["Truck", "Tempo"] }
            }},
            "Line": { "type": "object", "required": ["qty"], "properties": { "qty": { "type": "integer", "minimum": 1 }, "note": { "type": "string" } } }
        }}})
    }

    #[test]
    fn examples_follow_refs_and_prefer_the_schemas_own() {
        let d = doc();
        let e = example(&d, &json!({ "$ref": "#/components/schemas/Login" }));
        assert_eq!(
            e,
            json!({ "email": "admin@nexusoms.com", "items": [{ "qty": 1 }] })
        );
    }

    #[test]
    fn fields_name_their_types() {
        let d = doc();
        let f = fields(&d, &json!({ "$ref": "#/components/schemas/Login" }));
        assert_eq!(
            f[0],
            (
                "email".into(),
                "string".into(),
                true,
                "E-mail or id.".into()
            )
        );
        assert_eq!(f[1].1, "boolean | null");
        assert_eq!(f[2].1, "array of Line");
        assert_eq!(f[3].1, r#"one of "Truck", "Tempo""#);
    }
}
