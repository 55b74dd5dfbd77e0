//! P4: the whitelisted update of a product's master fields, with price changes audited as
//! such. Separate because the patch body, its `null` handling and the `_rev`-guarded retry
//! belong to it alone.

use super::{load, price, shelf_life, trimmed};
use crate::ApiJson;
use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::common::some_or_null;
use crate::routes::common::{commit_audited, ok_data, rev_guard, snapshot};
use crate::routes::envelope::Data;
use crate::routes::param_schemas::at_least_one;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use nexus_core::auth::{Access, Permission};
use nexus_core::model::{AuditAction, EntityType, Product};
use nexus_core::store::{StoreError, Write};
use nexus_core::types::{Money, Percent, Timestamp};
use serde::Deserialize;
use serde_json::Value;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;
use utoipa::{PartialSchema, ToSchema};

/// The master fields a PATCH may change; `null` clears a field. Not the id, the SKU code
/// (orders and the ledger refer to it), `stock`, `batches` or `isActive`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProductPatch {
    /// Not blank, at most 200 characters; `null` leaves it.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][\s\S]{0,199}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub product_short_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub distribution_channel: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub specie: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub weight_packing: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub product_weight: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub product_packing: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::de_patch_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000000000i64)]
    pub mrp: Option<Option<Money>>,
    #[serde(default, deserialize_with = "super::de_patch_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000000000i64)]
    pub price: Option<Option<Money>>,
    #[serde(default, deserialize_with = "super::de_patch_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000000000i64)]
    pub base_rate: Option<Option<Money>>,
    #[serde(default, deserialize_with = "super::de_patch_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 100)]
    pub gst: Option<Option<Percent>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub hsn_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub country_of_origin: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::de_patch_whole")]
    /// 1 to 3650 days.
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 3650)]
    pub shelf_life_days: Option<Option<i64>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub remarks: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::de_patch_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000000000i64)]
    pub yc70: Option<Option<Money>>,
    #[serde(default, deserialize_with = "super::de_patch_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000000000i64)]
    pub processing_charges: Option<Option<Money>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub category: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub unit: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub barcode: Option<Option<String>>,
    #[serde(default, deserialize_with = "some_or_null")]
    #[schema(value_type = Option<String>)]
    pub image_url: Option<Option<String>>,
}

/// The request body as the document describes it: [`ProductPatch`] with at least one field.
pub struct ProductPatchBody;

impl PartialSchema for ProductPatchBody {
    fn schema() -> RefOr<Schema> {
        at_least_one(
            ProductPatch::schema(),
            &["name"],
            &[
                "productShortName",
                "distributionChannel",
                "specie",
                "weightPacking",
                "productWeight",
                "productPacking",
                "mrp",
                "price",
                "baseRate",
                "gst",
                "hsnCode",
                "countryOfOrigin",
                "shelfLifeDays",
                "remarks",
                "yc70",
                "processingCharges",
                "category",
                "unit",
                "barcode",
                "imageUrl",
            ],
        )
    }
}

impl ToSchema for ProductPatchBody {
    fn name() -> std::borrow::Cow<'static, str> {
        "ProductPatch".into()
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        <ProductPatch as ToSchema>::schemas(schemas);
    }
}

/// Applies the patch to `p`; returns whether a price field (MRP, price, base rate, GST)
/// changed, which makes the audit entry a `PRICE_CHANGE`.
fn apply_patch(p: &mut Product, patch: &ProductPatch) -> Result<(bool, bool), ApiError> {
    let mut changed = false;
    let text = |v: &Option<Option<String>>, slot: &mut Option<String>, changed: &mut bool| {
        if let Some(v) = v {
            *slot = v.as_deref().and_then(trimmed);
            *changed = true;
        }
    };
    if let Some(n) = &patch.name {
        let n = trimmed(n).ok_or_else(|| ApiError::invalid("name", "name cannot be empty."))?;
        if n.chars().count() > 200 {
            return Err(ApiError::invalid(
                "name",
                "name is longer than 200 characters.",
            ));
        }
        p.name = n;
        changed = true;
    }
    text(
        &patch.product_short_name,
        &mut p.product_short_name,
        &mut changed,
    );
    text(
        &patch.distribution_channel,
        &mut p.distribution_channel,
        &mut changed,
    );
    text(&patch.specie, &mut p.specie, &mut changed);
    text(&patch.weight_packing, &mut p.weight_packing, &mut changed);
    text(&patch.product_weight, &mut p.product_weight, &mut changed);
    text(&patch.product_packing, &mut p.product_packing, &mut changed);
    text(&patch.hsn_code, &mut p.hsn_code, &mut changed);
    text(
        &patch.country_of_origin,
        &mut p.country_of_origin,
        &mut changed,
    );
    text(&patch.remarks, &mut p.remarks, &mut changed);
    text(&patch.category, &mut p.category, &mut changed);
    text(&patch.unit, &mut p.unit, &mut changed);
    text(&patch.barcode, &mut p.barcode, &mut changed);
    text(&patch.image_url, &mut p.image_url, &mut changed);
    let before_prices = (p.mrp, p.price, p.base_rate, p.gst);
    let money = |field: &str,
                 v: &Option<Option<Money>>,
                 slot: &mut Option<Money>,
                 changed: &mut bool|
     -> Result<(), ApiError> {
        if let Some(v) = v {
            *slot = v.map(|m| price(field, m)).transpose()?;
            *changed = true;
        }
        Ok(())
    };
    money("mrp", &patch.mrp, &mut p.mrp, &mut changed)?;
    money("price", &patch.price, &mut p.price, &mut changed)?;
    money("baseRate", &patch.base_rate, &mut p.base_rate, &mut changed)?;
    money("yc70", &patch.yc70, &mut p.yc70, &mut changed)?;
    money(
        "processingCharges",
        &patch.processing_charges,
        &mut p.processing_charges,
        &mut changed,
    )?;
    if let Some(g) = patch.gst {
        p.gst = g;
        changed = true;
    }
    if let Some(d) = patch.shelf_life_days {
        p.shelf_life_days = d.map(shelf_life).transpose()?;
        changed = true;
    }
    let price_changed = before_prices != (p.mrp, p.price, p.base_rate, p.gst);
    Ok((changed, price_changed))
}

/// How often an edit is re-applied when the product changed between read and write.
const WRITE_ATTEMPTS: usize = 5;

/// Update a product's master fields (master data). Price changes are audited as
/// `PRICE_CHANGE`.
#[utoipa::path(patch, path = "/api/products/{id}", tag = "Products", security(("bearer" = [])),
    params(("id" = String, Path, description = "Product id")),
    request_body = ProductPatchBody,
    responses(
        (status = 200, description = "The updated product", body = Data<Product>),
        (status = 403, description = "Needs master_data"),
        (status = 404, description = "No such product"),
        (status = 422, description = "Unknown or invalid field (`stock`, `batches`, `skuCode` are refused)"),
    ))]
pub(super) async fn update_product(
    State(st): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<ProductPatch>,
) -> Result<Json<Value>, ApiError> {
    actor.require(Permission::MasterData, Access::Full)?;
    for attempt in 1..=WRITE_ATTEMPTS {
        let current = load(&st, &id).await?;
        let mut next = current.clone();
        let (changed, price_changed) = apply_patch(&mut next, &patch)?;
        if !changed {
            return Err(ApiError::unprocessable(
                ErrorCode::NothingToUpdate,
                "The body changes nothing.",
            ));
        }
        next.rev = current.rev + 1;
        next.updated_at = Some(Timestamp::now());
        let action = if price_changed {
            AuditAction::PriceChange
        } else {
            AuditAction::Update
        };
        let audit = actor
            .audit(action)
            .entity(EntityType::Product, &id)
            .change(snapshot(&current), snapshot(&next));
        let write = Write::replace(rev_guard(&id, current.rev), &next)?;
        match commit_audited(&st, vec![write], audit, Vec::new()).await {
            Ok(()) => return Ok(ok_data(next)),
            Err(e) if e.code == ErrorCode::Conflict && attempt < WRITE_ATTEMPTS => continue,
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Conflict("product kept changing".into()).into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patch_reports_price_changes() {
        let mut p = Product::new("P", "Prawns");
        p.mrp = Some(Money::from_rupees(380));
        let patch: ProductPatch = serde_json::from_value(json!({ "remarks": "x" })).unwrap();
        assert_eq!(apply_patch(&mut p, &patch).unwrap(), (true, false));
        let patch: ProductPatch = serde_json::from_value(json!({ "mrp": 399 })).unwrap();
        assert_eq!(apply_patch(&mut p, &patch).unwrap(), (true, true));
        let patch: ProductPatch = serde_json::from_value(json!({ "gst": null })).unwrap();
        assert_eq!(
            apply_patch(&mut p, &patch).unwrap(),
            (true, false),
            "gst was unset already"
        );
        assert!(serde_json::from_value::<ProductPatch>(json!({ "stock": 5 })).is_err());
        assert!(serde_json::from_value::<ProductPatch>(json!({ "batches": [] })).is_err());
        assert!(serde_json::from_value::<ProductPatch>(json!({ "gst": 120 })).is_err());
    }
}
