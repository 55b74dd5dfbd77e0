//! Receiving stock into product batches at a warehouse: the one receipt that both
//! `POST /api/warehouse/add-stock` (W3, many lines by id, SKU or name) and
//! `POST /api/products/{id}/batches` (one product) go through. Per product, batches are
//! created or topped up under a `_rev` guard, with ledger ADD rows, the audit entry and the
//! `stock:changed` events in the same commit. Separate because two areas receive stock and
//! neither owns the receipt (packaging's inward moves packaging balances, not product batches).

use crate::auth::Actor;
use crate::error::{ApiError, ErrorCode};
use crate::routes::common::{commit_audited, rev_guard};
use crate::state::AppState;
use nexus_core::auth::Permission;
use nexus_core::events::Audience;
use nexus_core::model::{AuditAction, AuditLog, Batch, EntityType, Product, Warehouse};
use nexus_core::rules::expiry::today_ist;
use nexus_core::rules::ledger::{self, LedgerContext, LedgerReason, StockMovement};
use nexus_core::rules::stock;
use nexus_core::store::{Filter, StoreError, TypedStore, Write};
use nexus_core::types::{DateOnly, Quantity, Timestamp};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Who should hear about stock levels: warehouse staff and the people who book against them.
fn stock_audience() -> Audience {
    Audience {
        permissions: vec![
            Permission::ManageWarehouse.as_str().into(),
            Permission::CreateOrders.as_str().into(),
            Permission::ViewOrders.as_str().into(),
        ],
        ..Audience::default()
    }
}

/// How a receipt line names its product.
#[derive(Debug, Clone)]
pub(crate) enum ProductRef {
    Id(String),
    Sku(String),
    Name(String),
}

impl ProductRef {
    fn filter(&self) -> Filter {
        match self {
            ProductRef::Id(id) => Filter::id(id.as_str()),
            ProductRef::Sku(s) => Filter::eq("skuCode", s.as_str()),
            ProductRef::Name(n) => Filter::eq("name", n.as_str()),
        }
    }

    fn describe(&self) -> String {
        match self {
            ProductRef::Id(id) => format!("product {id}"),
            ProductRef::Sku(s) => format!("SKU {s}"),
            ProductRef::Name(n) => format!("product named {n}"),
        }
    }
}

/// One validated receipt line.
#[derive(Debug, Clone)]
pub(crate) struct ReceiptLine {
    pub product: ProductRef,
    pub batch_number: Option<String>,
    pub quantity: Quantity,
    pub mfg_date: Option<DateOnly>,
    pub exp_date: Option<DateOnly>,
    pub weight: Option<String>,
}

/// What one line did.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptResult {
    pub product_id: String,
    pub sku_code: String,
    pub batch_number: String,
    pub quantity: Quantity,
    /// `null` for a batch without an expiry date.
    #[schema(required = true)]
    pub exp_date: Option<DateOnly>,
    pub warehouse_id: String,
    /// The batch's quantity after the receipt.
    pub batch_quantity: Quantity,
    /// The product's total stock after the receipt.
    pub product_stock: Quantity,
}

/// Checks a batch number: printable, at most 64 characters.
pub(crate) fn batch_number(raw: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(b) = raw.map(str::trim).filter(|b| !b.is_empty()) else {
        return Ok(None);
    };
    if b.chars().count() > 64 || b.chars().any(char::is_control) {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            "batchNumber must be at most 64 printable characters.",
        ));
    }
    Ok(Some(b.to_string()))
}

/// A positive receipt quantity.
pub(crate) fn receipt_quantity(d: Decimal, line: usize) -> Result<Quantity, ApiError> {
    Quantity::positive(d).map_err(|_| {
        ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            "quantity must be greater than 0.",
        )
        .with_details(json!({ "line": line, "field": "quantity" }))
    })
}

/// The expiry a received batch gets: the one given, else manufacture date (or today, IST)
/// plus the product's shelf life, else none — an undated batch is allocated last. The
/// legacy default of "now + 30 days" invented a date nobody had printed on the pack.
fn expiry_for(line: &ReceiptLine, p: &Product, today: chrono::NaiveDate) -> Option<DateOnly> {
    line.exp_date.or_else(|| {
        let days = p.shelf_life_days.filter(|d| *d > 0)?;
        let from = line.mfg_date.map(DateOnly::naive).unwrap_or(today);
        Some(DateOnly::new(from + chrono::Duration::days(days)))
    })
}

/// Adds one line to a product's batches (same number in the same warehouse: top up;
/// otherwise a new batch). Returns the movement and the batch's new quantity.
fn apply_line(
    p: &mut Product,
    line: &ReceiptLine,
    index: usize,
    warehouse_id: &str,
    today: chrono::NaiveDate,
    now: Timestamp,
) -> Result<(StockMovement, Quantity, Option<DateOnly>), ApiError> {
    let number = line
        .batch_number
        .clone()
        .unwrap_or_else(|| format!("BATCH-{}", ulid::Ulid::new()));
    let existing = p
        .batches
        .iter()
        .position(|b| b.batch_number == number && b.warehouse_id.as_deref() == Some(warehouse_id));
    // Topping up a lot keeps its printed expiry; only a new lot gets the shelf-life default.
    let exp = match existing {
        Some(i) => line.exp_date.or(p.batches[i].exp_date),
        None => expiry_for(line, p, today),
    };
    if let (Some(m), Some(e)) = (line.mfg_date, exp)
        && m > e
    {
        return Err(ApiError::unprocessable(
            ErrorCode::ValidationFailed,
            "mfgDate is after the expiry date.",
        )
        .with_details(json!({ "line": index })));
    }
    let batch_qty = match existing {
        Some(i) => {
            let b = &mut p.batches[i];
            if let (Some(have), Some(new)) = (b.exp_date, line.exp_date)
                && have != new
            {
                return Err(ApiError::conflict(
                    ErrorCode::BatchExpiryMismatch,
                    format!(
                        "Batch {number} of {} is already held here with expiry {have}, not {new}.",
                        p.id
                    ),
                )
                .with_details(json!({ "line": index })));
            }
            b.quantity = b.quantity + line.quantity;
            b.is_active = true;
            b.exp_date = b.exp_date.or(exp);
            b.mfg_date = b.mfg_date.or(line.mfg_date);
            if b.weight.is_none() {
                b.weight = line.weight.clone();
            }
            b.quantity
        }
        None => {
            let mut b = Batch::new(number.clone(), line.quantity, exp);
            b.mfg_date = line.mfg_date;
            b.weight = line.weight.clone();
            b.warehouse_id = Some(warehouse_id.to_string());
            b.created_at = Some(now);
            p.batches.push(b);
            line.quantity
        }
    };
    Ok((
        StockMovement {
            product_id: p.id.clone(),
            sku: p.sku().to_string(),
            batch_number: number,
            warehouse_id: Some(warehouse_id.to_string()),
            delta: line.quantity.value(),
        },
        batch_qty,
        exp,
    ))
}

/// How often a receipt is recomputed when a product changed between read and write.
const RECEIPT_ATTEMPTS: usize = 5;

/// Receives stock into a warehouse: per product, the batches are updated and written with a
/// `_rev` guard; ledger ADD rows (what was actually received, signed, with actor and batch)
/// and the audit entry go in the same commit. A concurrent change to any of the products
/// fails the commit (nothing is applied) and the receipt is recomputed from fresh reads.
pub(crate) async fn receive_stock(
    st: &AppState,
    actor: &Actor,
    warehouse: &Warehouse,
    lines: &[ReceiptLine],
    note: Option<&str>,
    audit_entity: (EntityType, &str),
) -> Result<Vec<ReceiptResult>, ApiError> {
    for attempt in 1..=RECEIPT_ATTEMPTS {
        let now = Timestamp::now();
        let today = today_ist(now);
        // Load every product once, in line order.
        let mut products: BTreeMap<String, (Product, u64)> = BTreeMap::new();
        let mut line_product: Vec<String> = Vec::with_capacity(lines.len());
        for (i, line) in lines.iter().enumerate() {
            let p: Option<Product> = st.store.get(line.product.filter()).await?;
            let p = p.ok_or_else(|| {
                ApiError::unprocessable(
                    ErrorCode::ProductNotFound,
                    format!("Line {}: no {}.", i + 1, line.product.describe()),
                )
                .with_details(json!({ "line": i }))
            })?;
            if !p.is_active {
                return Err(ApiError::unprocessable(
                    ErrorCode::ProductInactive,
                    format!("Line {}: product {} is deactivated.", i + 1, p.id),
                )
                .with_details(json!({ "line": i })));
            }
            line_product.push(p.id.clone());
            products.entry(p.id.clone()).or_insert_with(|| {
                let rev = p.rev;
                (p, rev)
            });
        }
        let mut movements = Vec::with_capacity(lines.len());
        let mut results = Vec::with_capacity(lines.len());
        for (i, line) in lines.iter().enumerate() {
            let (p, _) = products
                .get_mut(&line_product[i])
                .ok_or_else(|| ApiError::internal_fault("stock receipt line lost its product"))?;
            let (m, batch_qty, exp) = apply_line(p, line, i, &warehouse.id, today, now)?;
            results.push(ReceiptResult {
                product_id: p.id.clone(),
                sku_code: p.sku().to_string(),
                batch_number: m.batch_number.clone(),
                quantity: line.quantity,
                exp_date: exp,
                warehouse_id: warehouse.id.clone(),
                batch_quantity: batch_qty,
                product_stock: Quantity::ZERO,
            });
            movements.push(m);
        }
        let mut writes = Vec::new();
        for (p, read_rev) in products.values_mut() {
            stock::sync_stock(p);
            p.rev = *read_rev + 1;
            p.updated_at = Some(now);
            writes.push(Write::replace(rev_guard(&p.id, *read_rev), &*p)?);
        }
        for r in &mut results {
            if let Some((p, _)) = products.get(&r.product_id) {
                r.product_stock = p.stock;
            }
        }
        let details = match note {
            Some(n) => format!("Stock entry at {}: {n}", warehouse.id),
            None => format!("Stock entry at {}", warehouse.id),
        };
        let ctx = LedgerContext {
            order_id: None,
            actor_id: actor.id(),
            reason: LedgerReason::StockReceipt,
            details: Some(&details),
            at: now,
        };
        for mut row in ledger::entries(&movements, &ctx) {
            row.id = Some(format!("LED-{}", ulid::Ulid::new()));
            writes.push(Write::insert(&row)?);
        }
        let mut audit: AuditLog = actor
            .audit(AuditAction::StockMovement)
            .entity(audit_entity.0, audit_entity.1)
            .change(
                None,
                Some(json!({ "warehouseId": warehouse.id, "received": results })),
            );
        audit.reason = note.map(str::to_string);
        let events = results
            .iter()
            .map(|r| {
                nexus_core::live::stock_received(
                    &nexus_core::live::Received {
                        product_id: &r.product_id,
                        sku_code: &r.sku_code,
                        warehouse_id: &r.warehouse_id,
                        batch_number: &r.batch_number,
                        quantity: r.quantity,
                        product_stock: r.product_stock,
                    },
                    stock_audience(),
                )
            })
            .collect();
        match commit_audited(st, writes, audit, events).await {
            Ok(()) => return Ok(results),
            Err(e) if e.code == ErrorCode::Conflict && attempt < RECEIPT_ATTEMPTS => {
                tracing::info!(attempt, "stock receipt raced another change; recomputing");
            }
            Err(e) => return Err(e),
        }
    }
    Err(ApiError::from(StoreError::Conflict(
        "stock receipt kept racing other changes".into(),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_defaults_to_shelf_life_not_an_invented_date() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let mut p = Product::new("P", "P");
        let line = ReceiptLine {
            product: ProductRef::Id("P".into()),
            batch_number: None,
            quantity: Quantity::from_int(1),
            mfg_date: DateOnly::ymd(2026, 2, 1),
            exp_date: None,
            weight: None,
        };
        assert_eq!(expiry_for(&line, &p, today), None);
        p.shelf_life_days = Some(180);
        assert_eq!(expiry_for(&line, &p, today), DateOnly::ymd(2026, 7, 31));
        let given = ReceiptLine {
            exp_date: DateOnly::ymd(2026, 5, 1),
            ..line
        };
        assert_eq!(expiry_for(&given, &p, today), DateOnly::ymd(2026, 5, 1));
    }
}
