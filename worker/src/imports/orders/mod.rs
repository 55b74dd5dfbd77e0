//! Bulk-order import (api.md §5.4.4, ARCHITECTURE "Jobs").
//!
//! Grouping: rows with the same Order Ref and customer form one order; rows without a
//! reference form one order per customer (the legacy upload made one order per row, so a
//! 40-line PO became 40 orders to approve). A group larger than an order may be
//! (`booking::MAX_LINES`) is split into consecutive orders of at most that many lines.
//!
//! All or nothing per order: when any row of a group is rejected, the whole group goes to
//! the report (the valid rows with "not imported: row N of the same order was rejected").
//! The report keeps the original columns, so the user fixes it and uploads the report itself;
//! the order is then created complete instead of as a fragment next to a stray line.
//!
//! Pricing and shape come from `rules::booking`, exactly as `POST /api/orders`: rate =
//! Applied Rate, else the customer's last rate, else the base rate; GST per line from the
//! product; CGST+SGST or IGST by the customer's region; status from `lifecycle::create`;
//! the uploader is the salesperson (as the API forces the caller's id); `isBulkUpload`.
//!
//! Idempotency: each order carries `importKey = "<file sha256>:<customer>|<ref>[#part]"`
//! under the unique `importKey_1` index, committed in the same transaction as the order.
//! Keys already present are skipped before any id is taken; a key that turns up during the
//! commit (a concurrent run of the same file) is a `DuplicateKey` and counted as already
//! imported. So a re-upload or a retry after a crash creates each order exactly once.
//!
//! Speed: customers, products, used keys and last rates are read in a few `IN` queries;
//! rows are checked in memory; ids come in blocks (`next_sequence_block`); orders are
//! committed [`CHUNK_ORDERS`] at a time with one audit entry each (compact: id, customer,
//! key, totals — the order itself is in the same commit).

mod catalog;
mod rows;

pub(crate) use rows::LAYOUT;
pub use rows::RATE_BAND;

use super::masters::{audit, requester};
use super::report::Report;
use super::sheet;
use super::{Hooks, ImportContext, ImportError, ImportOutcome};
use catalog::Catalog;
use nexus_core::auth::ActorContext;
use nexus_core::model::order::{OrderSource, OrderType};
use nexus_core::model::{AuditAction, EntityType, Order, User};
use nexus_core::rules::booking::{self, SalesBooking};
use nexus_core::rules::credit::{self, CreditSnapshot};
use nexus_core::rules::lifecycle::{self, Outcome};
use nexus_core::store::{StoreError, Write, business_id, commit_with_business_id, is_id_index};
use nexus_core::types::Money;
use rows::Line;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};

/// Orders per commit: large enough that the commit overhead vanishes, small enough that a
/// cancel or a crash loses little and progress moves visibly.
pub const CHUNK_ORDERS: usize = 250;
/// Order ids listed in the summary (all of them are in `created_order_ids`).
const SUMMARY_IDS: usize = 1_000;
const PREFIX: &str = "ORD-";

/// Lines of one order to be created.
struct Group<'a> {
    key: String,
    customer_id: String,
    order_ref: Option<String>,
    lines: Vec<Line<'a>>,
}

pub(super) async fn import(
    ctx: &ImportContext<'_>,
    bytes: &[u8],
    hooks: &Hooks<'_>,
) -> Result<ImportOutcome, ImportError> {
    let sheet = sheet::open(bytes, &rows::LAYOUT)?;
    let total = sheet::require_rows(&sheet, &rows::LAYOUT)?;
    let (user, outcome) = booker(ctx).await?;
    let mut report = Report::new(sheet.headers.clone());

    // Read every row, then the master data they name.
    let mut lines = Vec::with_capacity(total);
    let mut bad: HashMap<(String, String), Vec<u32>> = HashMap::new();
    for row in sheet.rows() {
        match rows::read(row) {
            Ok(l) => lines.push(l),
            Err(reason) => {
                // A row without a customer cannot belong to a group; one with a customer
                // spoils its group.
                if let Ok(Some(c)) = super::cells::code(row.get("customer")) {
                    let r = super::cells::code(row.get("orderRef")).ok().flatten();
                    bad.entry((c, r.unwrap_or_default()))
                        .or_default()
                        .push(row.number);
                }
                report.reject(row.number, row.cells, reason);
            }
        }
    }
    let catalog = Catalog::load(
        ctx,
        lines.iter().map(|l| l.customer_id.clone()).collect(),
        lines.iter().map(|l| l.sku.clone()).collect(),
    )
    .await?;
    let mut checked = Vec::with_capacity(lines.len());
    for line in lines {
        match rows::check(&line, &catalog) {
            Ok(_) => checked.push(line),
            Err(reason) => {
                bad.entry(group_of(&line))
                    .or_default()
                    .push(line.row.number);
                report.reject(line.row.number, line.row.cells, reason);
            }
        }
    }

    let groups = group(ctx, checked, &bad, &mut report);
    let keys: Vec<String> = groups.iter().map(|g| g.key.clone()).collect();
    let done_before = catalog::existing_keys(ctx, keys).await?;
    let (skip, todo): (Vec<Group<'_>>, Vec<Group<'_>>) = groups
        .into_iter()
        .partition(|g| done_before.contains(&g.key));
    let mut already = skip.len();
    let mut already_rows: usize = skip.iter().map(|g| g.lines.len()).sum();

    // A customer with a line to price from its last rate: every SKU of its lines (the rate
    // is also recorded beside an Applied Rate).
    let mut needs_last_rate: HashMap<String, HashSet<String>> = HashMap::new();
    for g in todo
        .iter()
        .filter(|g| g.lines.iter().any(|l| l.rate.is_none()))
    {
        let skus = needs_last_rate.entry(g.customer_id.clone()).or_default();
        skus.extend(
            g.lines
                .iter()
                .filter_map(|l| catalog.product(&l.sku))
                .map(|p| p.sku().to_string()),
        );
    }
    let last = catalog::last_rates(ctx, needs_last_rate).await?;

    let mut built = Vec::with_capacity(todo.len());
    for g in todo {
        match build(ctx, &user, &outcome, &catalog, &last, &g) {
            Ok(order) => built.push((order, g.lines.len())),
            Err(reason) => reject_group(&mut report, &g.lines, &reason),
        }
    }

    record_credit_checks(ctx, &catalog, &mut built).await?;

    let mut created_ids = Vec::with_capacity(built.len());
    let mut imported_rows = 0usize;
    let mut done = total - built.iter().map(|(_, n)| n).sum::<usize>();
    hooks.progress(done, total, format!("{} orders to create", built.len()));
    for chunk in built.chunks(CHUNK_ORDERS) {
        hooks.check()?;
        let result = commit_chunk(ctx, &user, chunk).await?;
        for (i, id) in result.iter().enumerate() {
            match id {
                Some(id) => {
                    created_ids.push(id.clone());
                    imported_rows += chunk[i].1;
                }
                None => {
                    already += 1;
                    already_rows += chunk[i].1;
                }
            }
        }
        done += chunk.iter().map(|(_, n)| n).sum::<usize>();
        hooks.progress(
            done,
            total,
            format!(
                "{} orders created, {done} of {total} rows",
                created_ids.len()
            ),
        );
    }

    let summary = json!({
        "kind": rows::LAYOUT.what,
        "sheet": sheet.name,
        "totalRows": total,
        "imported": imported_rows,
        "ordersCreated": created_ids.len(),
        "alreadyImported": already,
        "alreadyImportedRows": already_rows,
        "rejected": report.len(),
        "orderIds": created_ids.iter().take(SUMMARY_IDS).collect::<Vec<_>>(),
        "orderIdsTruncated": created_ids.len() > SUMMARY_IDS,
    });
    Ok(ImportOutcome {
        summary,
        report: report.to_xlsx()?,
        created_order_ids: created_ids,
    })
}

/// Each imported order records its credit check (domain.md §2.8), as a booking over HTTP
/// does: the customer's open orders as the file starts, plus the orders earlier in this file
/// for the same customer. A bulk import never approves by rule: every order goes to the
/// credit queue, where the approval checks again on fresh figures.
async fn record_credit_checks(
    ctx: &ImportContext<'_>,
    catalog: &Catalog,
    built: &mut [(Order, usize)],
) -> Result<(), ImportError> {
    let customers: HashSet<String> = built.iter().map(|(o, _)| o.customer_id.clone()).collect();
    let mut open = catalog::open_order_totals(ctx, customers).await?;
    for (order, _) in built.iter_mut() {
        let snapshot = catalog
            .customer(&order.customer_id)
            .map(CreditSnapshot::from_customer)
            .unwrap_or_default();
        let running = open.entry(order.customer_id.clone()).or_default();
        order.credit_check = Some(credit::check(&snapshot, *running, order.total, ctx.now));
        *running += order.total;
    }
    Ok(())
}

/// The uploader, and what the lifecycle says a booking by them starts as. A requester who
/// is gone or may not book orders fails the whole file (no retry helps).
async fn booker(ctx: &ImportContext<'_>) -> Result<(User, Outcome), ImportError> {
    let user = requester(ctx).await?.ok_or_else(|| {
        ImportError::rejected(
            "REQUESTER_UNKNOWN",
            format!(
                "The user {} who uploaded the file no longer exists.",
                ctx.requested_by
            ),
        )
    })?;
    let outcome =
        lifecycle::create(OrderType::Sales, &ActorContext::from_user(&user)).map_err(|e| {
            ImportError::rejected(
                "FORBIDDEN",
                format!("{} may not book orders: {e}", user.name),
            )
        })?;
    Ok((user, outcome))
}

fn group_of(line: &Line<'_>) -> (String, String) {
    (
        line.customer_id.clone(),
        line.order_ref.clone().unwrap_or_default(),
    )
}

fn reject_group(report: &mut Report, lines: &[Line<'_>], reason: &str) {
    for l in lines {
        report.reject(l.row.number, l.row.cells, reason.to_string());
    }
}

/// Groups lines into orders (first appearance order), dropping groups with a rejected row.
fn group<'a>(
    ctx: &ImportContext<'_>,
    lines: Vec<Line<'a>>,
    bad: &HashMap<(String, String), Vec<u32>>,
    report: &mut Report,
) -> Vec<Group<'a>> {
    let mut order: Vec<(String, String)> = Vec::new();
    let mut by_group: HashMap<(String, String), Vec<Line<'a>>> = HashMap::new();
    for l in lines {
        let g = group_of(&l);
        by_group
            .entry(g.clone())
            .or_insert_with(|| {
                order.push(g);
                Vec::new()
            })
            .push(l);
    }
    let mut groups = Vec::with_capacity(order.len());
    for g in order {
        let lines = by_group.remove(&g).unwrap_or_default();
        if let Some(rows) = bad.get(&g) {
            let rows: Vec<String> = rows.iter().map(u32::to_string).collect();
            reject_group(
                report,
                &lines,
                &format!(
                    "not imported: row {} of the same order (customer {}{}) was rejected",
                    rows.join(", "),
                    g.0,
                    if g.1.is_empty() {
                        String::new()
                    } else {
                        format!(", Order Ref {}", g.1)
                    }
                ),
            );
            continue;
        }
        let mut lines = lines;
        let mut part = 1;
        while !lines.is_empty() {
            let rest = lines.split_off(lines.len().min(booking::MAX_LINES));
            let suffix = if part == 1 {
                String::new()
            } else {
                format!("#{part}")
            };
            groups.push(Group {
                key: format!("{}:{}|{}{suffix}", ctx.file_sha256, g.0, g.1),
                customer_id: g.0.clone(),
                order_ref: Some(g.1.clone()).filter(|r| !r.is_empty()),
                lines: std::mem::replace(&mut lines, rest),
            });
            part += 1;
        }
    }
    groups
}

/// The order for one group, priced by the booking rules (id set at commit).
fn build(
    ctx: &ImportContext<'_>,
    user: &User,
    outcome: &Outcome,
    catalog: &Catalog,
    last: &HashMap<(String, String), Money>,
    g: &Group<'_>,
) -> Result<Order, String> {
    let customer = catalog
        .customer(&g.customer_id)
        .ok_or_else(|| format!("customer {} does not exist", g.customer_id))?;
    let mut items = Vec::with_capacity(g.lines.len());
    let mut remarks: Vec<&str> = Vec::new();
    for (i, l) in g.lines.iter().enumerate() {
        let p = catalog
            .product(&l.sku)
            .ok_or_else(|| format!("SKU {} does not exist", l.sku))?;
        let prev = last
            .get(&(g.customer_id.clone(), p.sku().to_string()))
            .copied();
        let rate = booking::line_rate(i, p, l.rate, prev)
            .map_err(|e| format!("row {}: {}", l.row.number, rows::booking_reason(&e)))?;
        let mut item = booking::item_for(i, p, l.quantity, rate, prev.unwrap_or(Money::ZERO))
            .map_err(|e| format!("row {}: {}", l.row.number, rows::booking_reason(&e)))?;
        item.remarks = l.remarks.clone();
        if let Some(r) = l.remarks.as_deref().filter(|r| !remarks.contains(r)) {
            remarks.push(r);
        }
        items.push(item);
    }
    let mut order = booking::sales_order(SalesBooking {
        customer,
        items,
        outcome,
        salesperson_name: Some(user.name.clone()),
        source: OrderSource::Bulk,
        remarks: Some(remarks.join("; ")).filter(|r| !r.is_empty()),
        partner_type: None,
        place_of_supply: None,
        now: ctx.now,
    })
    .map_err(|e| e.to_string())?;
    order.import_key = Some(g.key.clone());
    order
        .extra
        .insert("importJobId".into(), Value::String(ctx.job_id.into()));
    if let Some(r) = &g.order_ref {
        order
            .extra
            .insert("orderRef".into(), Value::String(r.clone()));
    }
    Ok(order)
}

/// The order and its audit entry, under `id`.
fn writes_for(
    ctx: &ImportContext<'_>,
    user: &User,
    order: &Order,
    id: &str,
) -> Result<Vec<Write>, StoreError> {
    let mut o = order.clone();
    o.id = id.to_string();
    let a = audit(ctx, Some(user), AuditAction::Create, EntityType::Order, id).change(
        None,
        Some(json!({
            "id": id, "customerId": o.customer_id, "importKey": o.import_key,
            "lines": o.items.len(), "subTotal": o.sub_total, "gstAmount": o.gst_amount,
            "total": o.total, "status": o.status, "isBulkUpload": true,
        })),
    );
    Ok(vec![Write::insert(&o)?, Write::insert(&a)?])
}

/// Commits a chunk of orders with a block of ids; `Some(id)` per created order, `None` for
/// one that another run had already imported. A duplicate anywhere in the chunk (a legacy id
/// in the block, or a key imported meanwhile) falls back to one commit per order.
async fn commit_chunk(
    ctx: &ImportContext<'_>,
    user: &User,
    chunk: &[(Order, usize)],
) -> Result<Vec<Option<String>>, ImportError> {
    let first = ctx
        .store
        .next_sequence_block(PREFIX, chunk.len() as u64)
        .await?;
    let ids: Vec<String> = (0..chunk.len() as u64)
        .map(|i| business_id(PREFIX, first + i))
        .collect();
    let mut writes = Vec::with_capacity(chunk.len() * 2);
    for ((order, _), id) in chunk.iter().zip(&ids) {
        writes.extend(writes_for(ctx, user, order, id)?);
    }
    match ctx.store.commit(writes).await {
        Ok(()) => return Ok(ids.into_iter().map(Some).collect()),
        Err(StoreError::DuplicateKey { .. }) => {
            tracing::info!(
                job = ctx.job_id,
                "duplicate in an order chunk; committing one by one"
            );
        }
        Err(e) => return Err(e.into()),
    }
    let mut out = Vec::with_capacity(chunk.len());
    for ((order, _), id) in chunk.iter().zip(&ids) {
        let one = match ctx.store.commit(writes_for(ctx, user, order, id)?).await {
            Ok(()) => Ok(id.clone()),
            Err(StoreError::DuplicateKey { collection, index })
                if is_id_index(&collection, &index) =>
            {
                // A legacy clock-based id sits in the block: take fresh ones.
                commit_with_business_id(ctx.store, PREFIX, |id| writes_for(ctx, user, order, id))
                    .await
            }
            Err(e) => Err(e),
        };
        match one {
            Ok(id) => out.push(Some(id)),
            Err(StoreError::DuplicateKey { .. }) => out.push(None),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(out)
}
