//! Round trips of documents shaped like the legacy MongoDB data, quirks included: extended
//! JSON ids and dates, `__v`, nulls where defaults were expected, text where numbers were
//! expected, legacy status and role synonyms, and keys the old schema never declared.

use super::*;
use crate::auth::{Permission, Role};
use crate::types::{Money, PmsMonth, Quantity};
use rust_decimal_macros::dec;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Reads a legacy document, writes it back, and reads that again: the second read must
/// equal the first (nothing lost, nothing changed) and unknown keys must survive.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(
    doc: Value,
) -> (T, Value) {
    let first: T = serde_json::from_value(doc.clone()).expect("legacy document reads");
    let written = serde_json::to_value(&first).expect("writes");
    let second: T = serde_json::from_value(written.clone()).expect("rewritten document reads");
    assert_eq!(first, second);
    (first, written)
}

#[test]
fn user_with_mongo_id_plaintext_password_and_legacy_role() {
    let (u, w): (User, _) = round_trip(json!({
        "_id": {"$oid": "65c9f0a1b2c3d4e5f6a7b8c9"},
        "id": "SALES-001", "name": "Rajesh Kumar", "email": "rajesh@nexusoms.com",
        "password": "sales123", "role": "Sales", "status": null,
        "permissions": ["view_orders", "create_orders"],
        "stepAccess": {"Placed Order": "full", "QC": "no"},
        "grossMonthlySalary": 50000, "zone": "WEST", "managerId": "ASM-001",
        "orgPositions": ["sales_west_retail"], "lastLogin": {"$date": "2026-02-10T05:00:00.000Z"},
        "createdAt": {"$date": {"$numberLong": "1770000000000"}}, "__v": 0
    }));
    assert_eq!(u.role, Role::Sales);
    assert_eq!(u.status, UserStatus::Active);
    assert_eq!(
        u.permissions,
        vec![Permission::ViewOrders, Permission::CreateOrders]
    );
    assert_eq!(u.gross_monthly_salary, Money::from_rupees(50000));
    assert_eq!(w["_id"], json!({"$oid": "65c9f0a1b2c3d4e5f6a7b8c9"}));
    assert_eq!(w["__v"], json!(0));
    assert_eq!(w["lastLogin"], json!("2026-02-10T05:00:00.000Z"));
    let u2: User =
        serde_json::from_value(json!({"id": "x", "name": "x", "role": "Logistics"})).unwrap();
    assert_eq!(u2.role, Role::LogisticsTeam);
    assert!(
        serde_json::from_value::<User>(json!({"id": "x", "name": "x", "role": "Chairman"}))
            .is_err()
    );
}

#[test]
fn imported_customer_with_alias_pairs_and_buckets() {
    let (c, w): (Customer, _) = round_trip(json!({
        "id": "100234", "name": "ABC Traders", "osBalance": 150000, "outstanding": 150000,
        "odAmt": 25000, "overdue": 25000, "limit": 500000, "securityChq": "Yes",
        "distributionChannel": "Retail", "customerClass": "A+", "location": "Mumbai",
        "agingBuckets": {"0 to 7": 10000, "7 to 15": 5000, "15 to 30": 5000, "30 to 45": 5000,
                          "45 to 90": 0, "90 to 120": 0, "120 to 150": 0, "150 to 180": 0, ">180": 0},
        "diffYesterdayToday": -1200.5, "exposureDays": "30 days", "paymentHistory": "text"
    }));
    assert_eq!(c.effective_limit(), Some(Money::from_rupees(500000)));
    assert_eq!(c.aging_buckets.total(), Money::from_rupees(25000));
    assert_eq!(c.effective_overdue(), Money::from_rupees(25000));
    assert_eq!(w["agingBuckets"]["0 to 7"], json!(10000));
    assert_eq!(w["exposureDays"], json!("30 days"));
    // The legacy seed customer: credit fields under the legacy names only.
    let seed: Customer = serde_json::from_value(json!({
        "id": "CUST-001", "name": "ABC Traders", "outstanding": 15000, "overdue": 5000,
        "ageingDays": 45, "creditLimit": 50000, "agingBuckets": null
    }))
    .unwrap();
    assert_eq!(seed.effective_limit(), Some(Money::from_rupees(50000)));
    assert_eq!(seed.effective_outstanding(), Money::from_rupees(15000));
    assert_eq!(seed.aging_buckets, AgingBuckets::default());
}

#[test]
fn product_with_null_numbers_text_numbers_and_batches() {
    let (p, w): (Product, _) = round_trip(json!({
        "id": "2004643", "skuCode": "2004643", "name": "BREADED FISH FINGERS 200G",
        "mrp": null, "gst": "5", "hsnCode": "16042000", "shelfLifeDays": 365, "yc70": 10,
        "processingCharges": "18", "stock": 150, "shortName": "BFF",
        "batches": [
            {"batchId": "B001", "batchNumber": "BATCH-001", "mfgDate": "2025-12-01",
             "expDate": "2026-06-01", "quantity": 100, "weight": "5 KG", "isActive": true},
            {"batchId": "B002", "batchNumber": "BATCH-002", "expDate": "2026-07-01", "quantity": 50},
            {"batchId": "B003", "batchNumber": "BATCH-003", "quantity": -4, "isActive": false}
        ],
        "imageUrl": "https://example.invalid/p.png"
    }));
    assert_eq!(p.mrp, None);
    assert_eq!(p.gst.unwrap().points(), dec!(5));
    assert_eq!(p.processing_charges, Some(Money::from_rupees(18)));
    assert!(
        p.batches[1].is_active,
        "a missing isActive means active (Mongoose default)"
    );
    assert_eq!(
        p.batches[2].quantity,
        Quantity::ZERO,
        "an overdrawn legacy batch reads as empty"
    );
    assert_eq!(w["batches"][0]["expDate"], json!("2026-06-01"));
    assert_eq!(w["gst"], json!(5));
}

#[test]
fn order_with_legacy_status_history_and_dropped_fields() {
    let (o, w): (Order, _) = round_trip(json!({
        "_id": {"$oid": "65c9f0a1b2c3d4e5f6a7b8ca"},
        "id": "CLR-482913", "customerId": "CUST-001", "customerName": "ABC Traders",
        "status": "Hold", "total": 3282.11, "subTotal": 2781.45, "gstAmount": 500.66,
        "salespersonId": "SALES-001",
        "items": [{"productId": "PROD-001", "productName": "Rice", "skuCode": "SKU-001",
                   "quantity": 10, "price": 220, "unit": "KG", "boxCount": 1, "prevRate": 0,
                   "allocatedBatches": [{"batchNumber": "BATCH-001", "qty": 10,
                                          "expiry": {"$date": "2026-06-01T00:00:00.000Z"}}]}],
        "statusHistory": [
            {"status": "Pending", "timestamp": {"$date": "2026-02-01T10:00:00.000Z"}},
            {"status": "", "timestamp": "2026-02-01T11:00:00.000Z"},
            {"status": "Hold", "timestamp": "2026-02-02T10:00:00.000Z"}
        ],
        "logistics": {"deliveryAgentId": "Ravi", "shippingCost": 0, "highCostAlert": false,
                      "manifestId": "MAN-260212-3", "bookingDate": "2026-02-12T06:00:00.000Z"},
        "createdAt": "2026-02-01T10:00:00.000Z", "__v": 2
    }));
    assert_eq!(o.status, OrderStatus::OnHold);
    assert_eq!(
        o.kind(),
        OrderType::Clearance,
        "legacy clearance orders are known by prefix"
    );
    assert_eq!(
        o.status_history[0].status, "Pending",
        "history keeps the original text"
    );
    assert_eq!(o.items[0].price, Money::from_rupees(220));
    assert_eq!(w["status"], json!("On Hold"));
    assert_eq!(w["total"], json!(3282.11));
    let pending: Order =
        serde_json::from_value(json!({"id": "ORD-1", "customerId": "C", "status": null})).unwrap();
    assert_eq!(pending.status, OrderStatus::PendingCreditApproval);
    let stn: Order = serde_json::from_value(
        json!({"id": "ORD-9", "customerId": "Arihant Delhi", "destinationWarehouse": "Arihant Delhi"}),
    )
    .unwrap();
    assert_eq!(stn.kind(), OrderType::Stn);
}

#[test]
fn performance_record_seed_shape() {
    let (r, w): (PerformanceRecord, _) = round_trip(json!({
        "userId": "SALES-001", "userName": "Rajesh Kumar", "month": "Feb'26",
        "grossMonthlySalary": 50000,
        "kras": [
            {"id": 1, "name": "Sales Target", "type": "Unrestricted", "target": 1000000, "achieved": 1200000, "weightage": 40},
            {"id": 2, "name": "Collection", "type": "Restricted", "target": 500000, "achieved": 450000, "weightage": 30},
            {"id": 9, "name": "OD", "type": "As per slab", "criteria": "OD balance", "weightage": 30}
        ],
        "odBalances": {"chennai": 300000, "self": 200000, "hyd": 100000},
        "totalScore": 92.5
    }));
    assert_eq!(r.month, PmsMonth::parse("Feb'26").unwrap());
    assert_eq!(r.kras[2].kra_type, KraType::AsPerSlab);
    assert_eq!(r.od_balances.total(), Money::from_rupees(600000));
    assert_eq!(w["month"], json!("Feb'26"));
    assert_eq!(w["kras"][2]["type"], json!("As per slab"));
    assert_eq!(w["odBalances"]["self"], json!(200000));
}

#[test]
fn packaging_warehouse_ledger_procurement_price_audit_attendance_job() {
    let (m, _): (PackagingMaterial, _) = round_trip(json!({
        "id": "PKG-001", "name": "Poly Bags 5kg", "unit": "PCS", "moq": 1000, "balance": 500,
        "category": "Poly Pkts"
    }));
    assert_eq!(m.balance, Quantity::from_int(500));
    let _: (PackagingTransaction, _) = round_trip(json!({
        "id": "PKG-IN-123456", "materialId": "PKG-001", "type": "IN", "qty": 800, "vendorName": "V",
        "date": {"$date": "2026-02-01T00:00:00.000Z"}, "createdBy": "WH-001"
    }));
    let (wh, _): (Warehouse, _) = round_trip(json!({
        "id": "WH-KURLA", "name": "Kurla Cold Storage", "location": "Mumbai", "capacityTotal": null,
        "capacityUsed": 1500, "temperature": {"current": -20, "min": -25, "max": -4},
        "inventory": [{"skuCode": "SKU-001", "name": "Rice", "qty": -50,
                       "batches": [{"batchNumber": "C", "qty": 0, "expiry": "2026-02-01T00:00:00.000Z"}]}]
    }));
    assert_eq!(wh.capacity_total, dec!(50000));
    assert_eq!(wh.utilisation_pct(), dec!(3));
    let _: (StockLedgerEntry, _) = round_trip(json!({
        "timestamp": "2026-02-01T00:00:00.000Z", "productId": "SKU-001",
        "warehouseId": {"$oid": "65c9f0a1b2c3d4e5f6a7b8cb"}, "type": "RESTORE", "qty": 10,
        "details": "Restored from Order modification"
    }));
    let (pr, _): (Procurement, _) = round_trip(json!({
        "id": "PRC-1234", "supplierName": "S", "skuName": "N", "skuCode": "C", "status": "PENDING",
        "checks": [true, false, false]
    }));
    assert_eq!(pr.status, ProcurementStatus::Pending);
    let (dp, _): (DistributorPrice, _) = round_trip(json!({
        "id": "D001-2004643", "distributorCode": "D001", "code": "2004643",
        "name": "BREADED FISH FINGERS 200G", "inKg": "0.2", "mrp": 220, "gstPct": null,
        "retailerMarginOnMrp": 34, "billingRate": 116.29
    }));
    assert_eq!(dp.gst_pct.points(), dec!(5));
    assert!(dp.is_active);
    let (a, _): (AuditLog, _) = round_trip(json!({
        "_id": {"$oid": "65c9f0a1b2c3d4e5f6a7b8cc"}, "userId": "unknown@x", "userName": "Unknown",
        "action": "LOGIN", "entityType": "SYSTEM", "success": false, "errorMessage": "WRONG_PASSWORD",
        "timestamp": "2026-02-01T00:00:00.000Z", "oldData": {"a": 1}
    }));
    assert!(!a.success);
    let _: (Attendance, _) = round_trip(json!({
        "userId": "SALES-001", "date": "2026-02-12", "checkInTime": "2026-02-12T03:30:00.000Z",
        "checkInLocation": {"lat": 0, "lng": 0, "note": "Manual check-in"}
    }));
    let _: (JobRecord, _) = round_trip(json!({
        "id": "JOB-000001", "kind": "bulk_order_import", "status": "running", "requestedBy": "ADMIN-001",
        "progress": {"done": 10, "total": 100}, "attempts": 1, "maxAttempts": 5,
        "createdAt": "2026-02-12T03:30:00.000Z"
    }));
}
