//! P3: creating a product (master data), stock starting at zero. Separate because its body
//! and id rules (given id, SKU code or `PROD-nnnnnn`) concern creation alone.

use super::{code, load, price, shelf_life, trimmed};
use crate::ApiJson;
use crate::auth::Actor;
use crate::error::ApiError;
use crate::routes::common::{created, snapshot};
use crate::routes::envelope::Data;
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use nexus_core::auth::{Access, Permission};
use nexus_core::model::{AuditAction, EntityType, Product};
use nexus_core::store::{StoreError, Write, commit_with_business_id};
use nexus_core::types::{Money, Percent};
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewProduct {
    /// Defaults to `skuCode`, else `PROD-nnnnnn`. 1 to 40 letters, digits or `. _ / -`.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[A-Za-z0-9._/-]{1,40}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub id: Option<String>,
    /// ERP material code (unique): 1 to 40 letters, digits or `. _ / -`.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[A-Za-z0-9._/-]{1,40}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub sku_code: Option<String>,
    /// Not blank, at most 200 characters.
    #[schema(
        pattern = r"^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][\s\S]{0,199}[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub name: String,
    /// `shortName` is the old mobile app's name for it.
    #[serde(alias = "shortName")]
    pub product_short_name: Option<String>,
    /// The old app sends an opening `stock`; stock is the sum of received batches, so only
    /// zero (or none) is accepted here.
    #[schema(ignore)]
    pub stock: Option<rust_decimal::Decimal>,
    pub distribution_channel: Option<String>,
    pub specie: Option<String>,
    pub weight_packing: Option<String>,
    pub product_weight: Option<String>,
    pub product_packing: Option<String>,
    #[serde(default, deserialize_with = "super::de_opt_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000000000i64)]
    pub mrp: Option<Money>,
    /// Default selling price (booking base rate).
    #[serde(default, deserialize_with = "super::de_opt_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000000000i64)]
    pub price: Option<Money>,
    #[serde(default, deserialize_with = "super::de_opt_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000000000i64)]
    pub base_rate: Option<Money>,
    /// GST rate in percent (0–100), e.g. 5.
    #[serde(default, deserialize_with = "super::de_opt_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 100)]
    pub gst: Option<Percent>,
    pub hsn_code: Option<String>,
    pub country_of_origin: Option<String>,
    /// 1 to 3650 days.
    #[serde(default, deserialize_with = "super::de_opt_whole")]
    #[schema(minimum = 1, maximum = 3650)]
    pub shelf_life_days: Option<i64>,
    pub remarks: Option<String>,
    #[serde(default, deserialize_with = "super::de_opt_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000000000i64)]
    pub yc70: Option<Money>,
    #[serde(default, deserialize_with = "super::de_opt_unsigned")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1000000000000i64)]
    pub processing_charges: Option<Money>,
    pub category: Option<String>,
    /// e.g. `PCS`, `KG`, `PKT`.
    pub unit: Option<String>,
    pub barcode: Option<String>,
    pub image_url: Option<String>,
}

/// Create a product (master data). Stock starts at zero: it arrives through receipts.
#[utoipa::path(post, path = "/api/products", tag = "Products", security(("bearer" = [])),
    request_body = NewProduct,
    responses(
        (status = 201, description = "Created: the new product", body = Data<Product>),
        (status = 403, description = "Needs master_data"),
        (status = 409, description = "The id or SKU code is taken"),
        (status = 422, description = "Invalid field (e.g. GST outside 0–100, `stock` or `batches` sent)"),
    ))]
pub(super) async fn create_product(
    State(st): State<AppState>,
    actor: Actor,
    ApiJson(b): ApiJson<NewProduct>,
) -> Result<Response, ApiError> {
    actor.require(Permission::MasterData, Access::Full)?;
    if b.stock.is_some_and(|s| !s.is_zero()) {
        return Err(ApiError::invalid(
            "stock",
            "stock is the sum of received batches: create the product, then POST /api/products/{id}/batches",
        ));
    }
    let name = trimmed(&b.name).ok_or_else(|| ApiError::invalid("name", "name is required."))?;
    if name.chars().count() > 200 {
        return Err(ApiError::invalid(
            "name",
            "name is longer than 200 characters.",
        ));
    }
    let sku = b
        .sku_code
        .as_deref()
        .map(|s| code("skuCode", s))
        .transpose()?;
    let given_id = b.id.as_deref().map(|s| code("id", s)).transpose()?;
    let text = |v: Option<String>| v.as_deref().and_then(trimmed);
    let mut p = Product::new("", name);
    p.product_short_name = text(b.product_short_name);
    p.distribution_channel = text(b.distribution_channel);
    p.specie = text(b.specie);
    p.weight_packing = text(b.weight_packing);
    p.product_weight = text(b.product_weight);
    p.product_packing = text(b.product_packing);
    p.hsn_code = text(b.hsn_code);
    p.country_of_origin = text(b.country_of_origin);
    p.remarks = text(b.remarks);
    p.category = text(b.category);
    p.unit = text(b.unit);
    p.barcode = text(b.barcode);
    p.image_url = text(b.image_url);
    p.mrp = b.mrp.map(|m| price("mrp", m)).transpose()?;
    p.price = b.price.map(|m| price("price", m)).transpose()?;
    p.base_rate = b.base_rate.map(|m| price("baseRate", m)).transpose()?;
    p.yc70 = b.yc70.map(|m| price("yc70", m)).transpose()?;
    p.processing_charges = b
        .processing_charges
        .map(|m| price("processingCharges", m))
        .transpose()?;
    p.gst = b.gst;
    p.shelf_life_days = b.shelf_life_days.map(shelf_life).transpose()?;

    let writes_for = |id: &str| -> Result<Vec<Write>, StoreError> {
        let mut doc = p.clone();
        doc.id = id.to_string();
        doc.sku_code = Some(sku.clone().unwrap_or_else(|| id.to_string()));
        let audit = actor
            .audit(AuditAction::Create)
            .entity(EntityType::Product, id)
            .change(None, snapshot(&doc));
        Ok(vec![Write::insert(&doc)?, Write::insert(&audit)?])
    };
    let id = match given_id.or_else(|| sku.clone()) {
        Some(id) => {
            st.store.commit(writes_for(&id)?).await?;
            id
        }
        None => commit_with_business_id(st.store.as_ref(), "PROD-", writes_for).await?,
    };
    Ok(created(load(&st, &id).await?))
}
