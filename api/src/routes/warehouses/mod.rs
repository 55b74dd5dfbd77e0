//! Warehouses (api.md §2.11 W1, W2, W3, W5; domain.md §1.8, §2.4, §5.5). The stock receipt
//! that both `POST /api/warehouse/add-stock` and `POST /api/products/{id}/batches` use is
//! `routes::stock_receipt`. Assigning an order to a warehouse (W4) belongs to the orders area.
//!
//! The legacy router had no authentication at all (D-S8), kept a second stock store inside
//! the warehouse documents that drifted from the product batches (D-L1), created "virtual"
//! inventory lines for unknown SKUs (D-L3), invented an expiry of today + 30 days, wrote
//! the whole warehouse document back (D-R5) and fell back to "the first warehouse" for an
//! unknown id (D-D4, 8.2.19). Here stock lives only in product batches tagged with the
//! warehouse id, a receipt must name an existing product, each product is written with a
//! `_rev` guard (a concurrent change makes the commit fail and the receipt is recomputed),
//! every receipt writes ledger rows and its audit entry in the same commit, and an unknown
//! warehouse is a 404.
//!
//! One file per route: `create` (W1), `list` (W2), `add_stock` (W3), `barcode` (W5).

mod add_stock;
mod barcode;
mod create;
mod list;

use crate::routes::area_router;
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    area_router([
        routes!(create::create_warehouse),
        routes!(list::list_warehouses),
        routes!(add_stock::add_stock),
        routes!(barcode::validate_barcode),
    ])
}
