//! Products — the material master with its batches (api.md §2.6, P1–P8; domain.md §1.3,
//! §2.1, §2.2) — and receiving stock into one product's batch.
//!
//! Changes from the legacy routes and why:
//! * `/api/products/import-template` and `/api/products/expiring` were shadowed by
//!   `/api/products/:id` (D-A3, 8.3.30); axum matches the static segments first and the tests
//!   call both;
//! * search was a raw regular expression from the query string (ReDoS, D-S12): it is literal
//!   text now;
//! * any role could create, edit or delete products (8.1.5): writes need `master_data`;
//! * PATCH took any field including `stock` and `batches`: it takes a whitelist, stock moves
//!   only through receipts and orders (with ledger rows);
//! * DELETE was a hard delete (8.2.29): it deactivates and keeps the batches and history,
//!   and refuses while open orders still reference the product;
//! * the expiring list compared UTC midnight with the clock (a batch expiring today was
//!   missing, D-L19): it uses the IST calendar day and `rules::expiry`;
//! * every write is a `_rev`-guarded replace or a guarded update with its audit entry in the
//!   same commit (D-R3).
//!
//! The area follows its sections: `read` (P1/P2), `create` (P3), `update` (P4), `delete`
//! (P5), `import` (P6/P7), `expiring` (P8) and `batches` (receiving into one product, through
//! `routes::stock_receipt`). This file holds the router, loading a product and the field
//! checks create and update share.

mod batches;
mod create;
mod delete;
mod expiring;
mod import;
mod read;
mod update;

use crate::error::{ApiError, ErrorCode};
use crate::routes::area_router;
pub(super) use crate::routes::common::{code, trimmed};
pub(super) use crate::routes::numbers::price;
use crate::routes::numbers::{de_opt_unsigned, de_opt_whole};
use crate::routes::uploads;
use crate::state::AppState;
use nexus_core::model::Product;
use nexus_core::store::{Filter, TypedStore};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    let imports = area_router([routes!(import::bulk_import)]).layer(uploads::multipart_limit());
    area_router([
        routes!(read::list_products, create::create_product),
        routes!(import::import_template),
        routes!(expiring::expiring),
        routes!(
            read::get_product,
            update::update_product,
            delete::delete_product
        ),
        routes!(batches::receive_batch),
    ])
    .merge(imports)
}

async fn load(st: &AppState, id: &str) -> Result<Product, ApiError> {
    st.store
        .get::<Product>(Filter::id(id))
        .await?
        .ok_or_else(|| ApiError::record_not_found(ErrorCode::ProductNotFound, "Product", id))
}

/// [`de_opt_unsigned`] for a PATCH field: `Some(None)` for an explicit `null`.
fn de_patch_unsigned<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    de_opt_unsigned(d).map(Some)
}

/// [`de_opt_whole`] for a PATCH field: `Some(None)` for an explicit `null`.
fn de_patch_whole<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    de_opt_whole(d).map(Some)
}

fn shelf_life(d: i64) -> Result<i64, ApiError> {
    if !(1..=3650).contains(&d) {
        return Err(ApiError::invalid(
            "shelfLifeDays",
            "shelfLifeDays must be 1–3650.",
        ));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_plain() {
        assert_eq!(code("skuCode", " SKU-001 ").unwrap(), "SKU-001");
        assert!(code("skuCode", "a b").is_err());
        assert!(code("skuCode", "").is_err());
        assert!(code("skuCode", "$where").is_err());
        assert!(code("skuCode", &"x".repeat(41)).is_err());
    }
}
