//! Orders, lifecycle, clearance, stock transfers, manifests and bulk orders. Seeded orders:
//! ORD-001 Pending Credit Approval (SALES-001), ORD-002 Pending WH Selection (SALES-002),
//! ORD-003 Pending Packing at WH-KURLA (SALES-001), ORD-004 In Transit with DRV-001
//! (SALES-001), ORD-005 Delivered, ORD-006 Cancelled. Steps whose status no seeded order is
//! in are checked with the Admin on an order in another status: passing authorisation, the
//! lifecycle answers 409.
use super::{Case, Who};
use reqwest::Method;
use serde_json::json;

fn tiny_workbook_base64() -> String {
    use base64::Engine as _;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Bulk Orders").unwrap();
    ws.write_string(0, 0, "Customer ID").unwrap();
    base64::engine::general_purpose::STANDARD.encode(wb.save_to_buffer().unwrap())
}

pub fn cases() -> Vec<Case> {
    vec![
        Case::get(
            "/api/orders",
            Who::Roles {
                allowed: &["SALES-001"],
                denied: &["PROC-001", "PROCH-001"],
            },
        ),
        Case::new(
            Method::POST,
            "/api/orders",
            "/api/orders",
            Who::Roles {
                allowed: &["SALES-001"],
                denied: &[
                    "CREDIT-001",
                    "WH-001",
                    "QC-001",
                    "BILL-001",
                    "DRV-001",
                    "PROC-001",
                ],
            },
        )
        .body(
            json!({"customerId": "CUST-001", "items": [{"productId": "PROD-001", "quantity": 2}]}),
        )
        .expect(201),
        Case::get(
            "/api/orders/{id}",
            Who::Roles {
                allowed: &["SALES-001"],
                denied: &["PROC-001"],
            },
        )
        .at("/api/orders/ORD-001")
        .other("SALES-002", "/api/orders/ORD-001"),
        Case::get(
            "/api/orders/{id}/invoice",
            Who::Roles {
                allowed: &["SALES-001"],
                denied: &["PROC-001"],
            },
        )
        .at("/api/orders/ORD-001/invoice")
        .other("SALES-002", "/api/orders/ORD-001/invoice"),
        Case::get(
            "/api/orders/last-rate/{customerId}/{skuCode}",
            Who::Roles {
                allowed: &["SALES-001"],
                denied: &["WH-001", "DRV-001", "PROC-001"],
            },
        )
        .at("/api/orders/last-rate/CUST-001/SKU-001"),
        Case::new(
            Method::PATCH,
            "/api/orders/{id}",
            "/api/orders/ORD-001",
            Who::Roles {
                allowed: &["SALES-001"],
                denied: &["CREDIT-001", "WH-001", "DRV-001"],
            },
        )
        .body(json!({"remarks": "Call before delivery"}))
        .other("SALES-002", "/api/orders/ORD-001"),
        Case::new(
            Method::DELETE,
            "/api/orders/{id}",
            "/api/orders/ORD-001",
            Who::Roles {
                allowed: &["SALES-001"],
                denied: &["WH-001", "QC-001", "DRV-001"],
            },
        )
        .other("SALES-002", "/api/orders/ORD-001"),
        Case::new(
            Method::PATCH,
            "/api/orders/{id}/items",
            "/api/orders/ORD-001/items",
            Who::Roles {
                allowed: &["SALES-001"],
                denied: &["CREDIT-001", "WH-001"],
            },
        )
        .body(json!({"items": [{"productId": "PROD-001", "quantity": 3}]}))
        .other("SALES-002", "/api/orders/ORD-001/items"),
        Case::new(
            Method::POST,
            "/api/orders/{id}/credit-decision",
            "/api/orders/ORD-001/credit-decision",
            Who::Roles {
                allowed: &["CREDIT-001"],
                denied: &["SALES-001", "ASM-001", "NSM-001", "WH-001"],
            },
        )
        .body(json!({"decision": "approve"})),
        Case::new(
            Method::POST,
            "/api/orders/{id}/release-hold",
            "/api/orders/ORD-001/release-hold",
            Who::Roles {
                allowed: &["USER-001"],
                denied: &["WH-001", "QC-001", "DRV-001"],
            },
        )
        .expect(409),
        Case::new(
            Method::POST,
            "/api/orders/{id}/cancel",
            "/api/orders/ORD-001/cancel",
            Who::Roles {
                allowed: &["SALES-001"],
                denied: &["WH-001", "QC-001", "BILL-001", "DRV-001"],
            },
        )
        .body(json!({"reason": "Customer changed plans"}))
        .other("SALES-002", "/api/orders/ORD-001/cancel"),
        Case::new(
            Method::POST,
            "/api/orders/{id}/assign-warehouse",
            "/api/orders/ORD-002/assign-warehouse",
            Who::Roles {
                allowed: &["WHM-001"],
                denied: &["SALES-001", "CREDIT-001", "QC-001"],
            },
        )
        .body(json!({"warehouseId": "WH-KURLA"}))
        .other("WH-001", "/api/orders/ORD-001/assign-warehouse"),
        Case::new(
            Method::POST,
            "/api/warehouse/assign-to-order",
            "/api/warehouse/assign-to-order",
            Who::Roles {
                allowed: &["WHM-001"],
                denied: &["SALES-001", "DRV-001"],
            },
        )
        .body(json!({"orderId": "ORD-002", "warehouseId": "W1"})),
        Case::new(
            Method::POST,
            "/api/orders/{id}/pack",
            "/api/orders/ORD-003/pack",
            Who::Roles {
                allowed: &["WH-001"],
                denied: &["SALES-001", "QC-001"],
            },
        )
        .body(json!({"lines": [
            {"batches": [{"batchNumber": "BATCH-003", "qty": 20}]},
            {"batches": [{"batchNumber": "BATCH-009", "qty": 10}]}
        ]}))
        .other("WH-001", "/api/orders/ORD-001/pack"),
        Case::new(
            Method::POST,
            "/api/orders/{id}/send-back",
            "/api/orders/ORD-003/send-back",
            Who::Roles {
                allowed: &["WH-001"],
                denied: &["SALES-001", "QC-001"],
            },
        )
        .body(json!({"reason": "Recount"})),
        Case::new(
            Method::POST,
            "/api/orders/{id}/qc",
            "/api/orders/ORD-003/qc",
            Who::Roles {
                allowed: &["USER-001"],
                denied: &["SALES-001", "WH-001", "DRV-001"],
            },
        )
        .body(json!({"tempVerified": true, "packagingIntact": true, "weightVerified": true,
            "labelClarity": true, "invoiceDcAttached": true, "passed": true}))
        .expect(409)
        .other("QC-001", "/api/orders/ORD-003/qc"),
        Case::new(
            Method::POST,
            "/api/orders/{id}/logistics-cost",
            "/api/orders/ORD-004/logistics-cost",
            Who::Roles {
                allowed: &["USER-001"],
                denied: &["SALES-001", "WH-001", "BILL-001"],
            },
        )
        .body(json!({"thermacolBoxCount": 2, "dryIceKg": 5}))
        .expect(409)
        .other("LOGT-001", "/api/orders/ORD-004/logistics-cost"),
        Case::new(
            Method::POST,
            "/api/orders/{id}/admin-review",
            "/api/orders/ORD-001/admin-review",
            Who::Roles {
                allowed: &["USER-001"],
                denied: &["SALES-001", "CREDIT-001", "LOG-001"],
            },
        )
        .body(json!({"decision": "approve"}))
        .expect(409),
        Case::new(
            Method::POST,
            "/api/orders/{id}/invoice",
            "/api/orders/ORD-001/invoice",
            Who::Roles {
                allowed: &["USER-001"],
                denied: &["SALES-001", "WH-001", "LOG-001"],
            },
        )
        .body(json!({"invoiceNo": "INV-2026-0001"}))
        .expect(409)
        .other("BILL-001", "/api/orders/ORD-001/invoice"),
        Case::new(
            Method::POST,
            "/api/orders/{id}/dispatch",
            "/api/orders/ORD-001/dispatch",
            Who::Roles {
                allowed: &["USER-001"],
                denied: &["SALES-001", "BILL-001", "DRV-001"],
            },
        )
        .body(json!({"deliveryAgentId": "DRV-001", "vehicleNo": "MH-04-AB-1234",
            "ewayBill": "331000001234", "sealNo": "SEAL-1"}))
        .expect(409)
        .other("HUB-001", "/api/orders/ORD-001/dispatch"),
        Case::new(
            Method::POST,
            "/api/logistics/bulk-assign",
            "/api/logistics/bulk-assign",
            Who::Roles {
                allowed: &["HUB-001"],
                denied: &["SALES-001", "WH-001", "DRV-001", "BILL-001"],
            },
        )
        .body(json!({"orderIds": ["ORD-003"], "logisticsData": {"deliveryAgentId": "DRV-001",
            "vehicleNo": "MH-04-AB-1234", "ewayBill": "331000001234", "sealNo": "SEAL-1"}})),
        Case::new(
            Method::POST,
            "/api/orders/{id}/out-for-delivery",
            "/api/orders/ORD-004/out-for-delivery",
            Who::Roles {
                allowed: &["DRV-001"],
                denied: &["SALES-001", "HUB-001", "LOG-001"],
            },
        ),
        Case::new(
            Method::POST,
            "/api/orders/{id}/deliver",
            "/api/orders/ORD-004/deliver",
            Who::Roles {
                allowed: &["DRV-001"],
                denied: &["SALES-001", "HUB-001"],
            },
        )
        .body(json!({"otp": "000000", "cashCollected": 0})),
        Case::new(
            Method::POST,
            "/api/orders/{id}/return-to-warehouse",
            "/api/orders/ORD-004/return-to-warehouse",
            Who::Roles {
                allowed: &["DRV-001"],
                denied: &["SALES-001", "WH-001"],
            },
        )
        .body(json!({"reason": "Customer refused the delivery"})),
        Case::new(
            Method::POST,
            "/api/orders/{id}/bypass",
            "/api/orders/ORD-001/bypass",
            Who::Roles {
                allowed: &["USER-001"],
                denied: &["SALES-001", "CREDIT-001", "NSM-001"],
            },
        )
        .body(json!({"to": "Pending WH Selection", "reason": "Approved by phone"})),
        Case::new(
            Method::POST,
            "/api/orders/bulk-update",
            "/api/orders/bulk-update",
            Who::Roles {
                allowed: &["CREDIT-001"],
                denied: &["SALES-001", "WH-001"],
            },
        )
        .body(json!({"orderIds": ["ORD-001"], "action": {"step": "credit-decision", "decision": "approve"}})),
        Case::new(
            Method::POST,
            "/api/orders/clearance",
            "/api/orders/clearance",
            Who::Roles {
                allowed: &["SALES-001"],
                denied: &["CREDIT-001", "WH-001", "DRV-001"],
            },
        )
        .body(json!({"customerId": "CUST-001", "items": [{"productId": "PROD-002",
            "batchNumber": "BATCH-003", "quantity": 2, "proposedRate": 250}]}))
        .expect(201),
        Case::get(
            "/api/orders/clearance/history",
            Who::Roles {
                allowed: &["SALES-001"],
                denied: &["WH-001", "DRV-001", "QC-001"],
            },
        ),
        Case::new(
            Method::POST,
            "/api/orders/stn",
            "/api/orders/stn",
            Who::Roles {
                allowed: &["WHM-001"],
                denied: &["CREDIT-001", "QC-001", "DRV-001", "BILL-001"],
            },
        )
        .body(json!({"sourceWarehouse": "WH-KURLA", "destinationWarehouse": "WH-DELHI",
            "items": [{"productId": "PROD-004", "quantity": 5}]}))
        .expect(201),
        Case::new(
            Method::POST,
            "/api/orders/{id}/receive",
            "/api/orders/ORD-003/receive",
            Who::Roles {
                allowed: &["USER-001"],
                denied: &["SALES-001", "QC-001", "DRV-001"],
            },
        )
        .body(json!({}))
        .expect(409),
        Case::get(
            "/api/orders/bulk/template",
            Who::Roles {
                allowed: &["SALES-001"],
                denied: &["WH-001", "CREDIT-001"],
            },
        ),
        // The legacy JSON upload of a real (tiny) workbook; parsing is the worker's job.
        Case::new(
            Method::POST,
            "/api/orders/bulk",
            "/api/orders/bulk",
            Who::Roles {
                allowed: &["SALES-001"],
                denied: &["CREDIT-001", "WH-001"],
            },
        )
        .body(json!({"excelData": tiny_workbook_base64()}))
        .expect(202),
    ]
}
