//! The error answers every operation can give, added to the generated document in one place
//! rather than repeated on each handler: 401 on every secured route, 429 from the rate
//! limits, 400/413/415/422 wherever a body or a query is parsed, 500 everywhere; and the
//! error envelope (`ApiError`'s JSON) as the content of every 4xx/5xx answer, so a client
//! (or Schemathesis) can rely on its shape. A handler's own description of a status wins;
//! this only fills in what it leaves out.

use crate::error::ErrorCode;
use utoipa::Modify;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::request_body::RequestBody;
use utoipa::openapi::schema::{Object, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Required, ResponseBuilder};

/// The schema name of the error envelope in `components.schemas`.
pub const ERROR_SCHEMA: &str = "Error";

pub struct StandardErrors;

impl Modify for StandardErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components
            .schemas
            .insert(ERROR_SCHEMA.into(), RefOr::T(error_schema()));
        for (path, item) in openapi.paths.paths.iter_mut() {
            let under_api = path.starts_with("/api/") || path == "/ws";
            let probe = path == "/api/health" || path == "/api/ready";
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
                &mut item.head,
                &mut item.options,
            ]
            .into_iter()
            .flatten()
            {
                complete(op, under_api && !probe);
            }
        }
    }
}

fn complete(op: &mut Operation, rate_limited: bool) {
    let secured = op
        .security
        .as_ref()
        .is_some_and(|reqs| !reqs.is_empty() && reqs.iter().any(|r| r != &Default::default()));
    if let Some(RefOr::T(body)) = op.request_body.as_mut() {
        optional_body(body);
    }
    // `ApiQuery` reads `?x=` as if `x` were absent, on every route: the document says so
    // with `allowEmptyValue`, which utoipa's `Parameter` has no field for (it is deprecated
    // in 3.1 but still what clients and testers read), so it goes in through the flattened
    // map the extensions serialise from.
    for p in op.parameters.iter_mut().flatten() {
        if let RefOr::T(p) = p
            && p.parameter_in == ParameterIn::Query
        {
            p.extensions
                .get_or_insert_with(Default::default)
                .insert("allowEmptyValue".into(), serde_json::Value::Bool(true));
        }
    }
    let has_body = op.request_body.is_some();
    let has_query = op.parameters.as_ref().is_some_and(|ps| {
        ps.iter()
            .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Query))
    });
    let mut add = |status: &str, why: &str| {
        op.responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| ResponseBuilder::new().description(why).build().into());
    };
    if secured {
        add(
            "401",
            "Not signed in: token missing, invalid, expired or revoked",
        );
    }
    if has_body {
        add("400", "The body is not valid JSON (or not a valid form)");
        add("413", "The body is larger than the limit");
        add(
            "415",
            "The body was not sent with the content type this operation reads",
        );
        add("422", "The body has the wrong shape or fails validation");
    }
    if has_query {
        add(
            "400",
            "A filter value is not one this operation knows (e.g. a date)",
        );
        add(
            "422",
            "A query parameter has the wrong format or is out of range",
        );
    }
    if rate_limited {
        add(
            "429",
            "Over the rate limit; retry after the `Retry-After` seconds",
        );
    }
    add("500", "Unexpected fault (logged with the request id)");
    for (status, response) in op.responses.responses.iter_mut() {
        let is_error = status.starts_with('4') || status.starts_with('5');
        if let (true, RefOr::T(r)) = (is_error, response)
            && r.content.is_empty()
        {
            r.content.insert(
                "application/json".into(),
                RefOr::T(
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name(ERROR_SCHEMA)))
                        .build(),
                ),
            );
        }
    }
}

/// A body declared `Option<T>` comes out as "T or the JSON `null`"; what the server means
/// is "T, or no body at all" (`OptionalJson`), and it refuses a literal `null`. So the
/// document says exactly that: the schema T, and the body not required.
fn optional_body(body: &mut RequestBody) {
    for content in body.content.values_mut() {
        let RefOr::T(content) = content else { continue };
        let Some(RefOr::T(Schema::OneOf(one))) = &content.schema else {
            continue;
        };
        let is_null = |s: &RefOr<Schema>| {
            matches!(s, RefOr::T(Schema::Object(o))
                if o.schema_type == SchemaType::Type(Type::Null))
        };
        if one.items.len() == 2 && one.items.iter().any(is_null) {
            content.schema = one.items.iter().find(|s| !is_null(s)).cloned();
            body.required = Some(Required::False);
        }
    }
}

/// `{ "error": { "code", "message", "details" }, "message", "requestId" }`: the code is one
/// of the documented error codes; the top-level `message` repeats `error.message` for the
/// old mobile app.
fn error_schema() -> Schema {
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    let inner = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property(
            "code",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(codes))
                .description(Some("Stable, machine-readable (see Error codes)")),
        )
        .required("code")
        .property(
            "message",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some("For people; may change")),
        )
        .required("message")
        .property(
            "details",
            Object::builder()
                .schema_type(SchemaType::AnyValue)
                .description(Some(
                    "Anything that helps: the failing field, limits, the job id (may be null)",
                )),
        );
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("error", inner)
            .required("error")
            .property(
                "message",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some("The same as `error.message` (legacy clients read it)")),
            )
            .property(
                "requestId",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some("The request's id, also in the `X-Request-Id` header")),
            )
            .build(),
    )
}
