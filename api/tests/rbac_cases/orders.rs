//! Orders, lifecycle, clearance, stock transfers, manifests and bulk orders. Seeded orders:
//! ORD-001 Pending Credit Approval (SALES-001), ORD-002 Pending WH Selection (SALES-002),
//! ORD-003 Pending Packing at WH-KURLA (SALES-001), ORD-004 In Transit with DRV-001
//! (SALES-001), ORD-005 Delivered, ORD-006 Cancelled. Steps whose status no seeded order is
//! in are checked with the Admin on an order in another status: passing authorisation, the
//! lifecycle answers 409.
use super::{Case, allow};
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
            allow(&["SALES-001"]).deny(&["PROC-001", "PROCH-001"]),
        ),
        Case::post(
            "/api/orders",
            allow(&["SALES-001"]).deny(&[
                "CREDIT-001",
                "WH-001",
                "QC-001",
                "BILL-001",
                "DRV-001",
                "PROC-001",
            ]),
        )
        .body(
            json!({"customerId": "CUST-001", "items": [{"productId": "PROD-001", "quantity": 2}]}),
        )
        .expect(201),
        Case::get(
            "/api/orders/{id}",
            allow(&["SALES-001"]).deny(&["PROC-001"]),
        )
        .at("/api/orders/ORD-001")
        .other("SALES-002", "/api/orders/ORD-001"),
        Case::get(
            "/api/orders/{id}/invoice",
            allow(&["SALES-001"]).deny(&["PROC-001"]),
        )
        .at("/api/orders/ORD-001/invoice")
        .other("SALES-002", "/api/orders/ORD-001/invoice"),
        Case::get(
            "/api/orders/last-rate/{customerId}/{skuCode}",
            allow(&["SALES-001"]).deny(&["WH-001", "DRV-001", "PROC-001"]),
        )
        .at("/api/orders/last-rate/CUST-001/SKU-001"),
        Case::patch(
            "/api/orders/{id}",
            allow(&["SALES-001"]).deny(&["CREDIT-001", "WH-001", "DRV-001"]),
        )
        .at("/api/orders/ORD-001")
        .body(json!({"remarks": "Call before delivery"}))
        .other("SALES-002", "/api/orders/ORD-001"),
        Case::delete(
            "/api/orders/{id}",
            allow(&["SALES-001"]).deny(&["WH-001", "QC-001", "DRV-001"]),
        )
        .at("/api/orders/ORD-001")
        .other("SALES-002", "/api/orders/ORD-001"),
        Case::patch(
            "/api/orders/{id}/items",
            allow(&["SALES-001"]).deny(&["CREDIT-001", "WH-001"]),
        )
        .at("/api/orders/ORD-001/items")
        .body(json!({"items": [{"productId": "PROD-001", "quantity": 3}]}))
        .other("SALES-002", "/api/orders/ORD-001/items"),
        Case::post(
            "/api/orders/{id}/credit-decision",
            allow(&["CREDIT-001"]).deny(&["SALES-001", "ASM-001", "NSM-001", "WH-001"]),
        )
        .at("/api/orders/ORD-001/credit-decision")
        .body(json!({"decision": "approve"})),
        Case::post(
            "/api/orders/{id}/release-hold",
            allow(&["USER-001"]).deny(&["WH-001", "QC-001", "DRV-001"]),
        )
        .at("/api/orders/ORD-001/release-hold")
        .expect(409),
        Case::post(
            "/api/orders/{id}/cancel",
            allow(&["SALES-001"]).deny(&["WH-001", "QC-001", "BILL-001", "DRV-001"]),
        )
        .at("/api/orders/ORD-001/cancel")
        .body(json!({"reason": "Customer changed plans"}))
        .other("SALES-002", "/api/orders/ORD-001/cancel"),
        Case::post(
            "/api/orders/{id}/assign-warehouse",
            allow(&["WHM-001"]).deny(&["SALES-001", "CREDIT-001", "QC-001"]),
        )
        .at("/api/orders/ORD-002/assign-warehouse")
        .body(json!({"warehouseId": "WH-KURLA"}))
        .other("WH-001", "/api/orders/ORD-001/assign-warehouse"),
        Case::post(
            "/api/warehouse/assign-to-order",
            allow(&["WHM-001"]).deny(&["SALES-001", "DRV-001"]),
        )
        .body(json!({"orderId": "ORD-002", "warehouseId": "W1"})),
        Case::post(
            "/api/orders/{id}/pack",
            allow(&["WH-001"]).deny(&["SALES-001", "QC-001"]),
        )
        .at("/api/orders/ORD-003/pack")
        .body(json!({"lines": [
            {"batches": [{"batchNumber": "BATCH-003", "qty": 20}]},
            {"batches": [{"batchNumber": "BATCH-009", "qty": 10}]}
        ]}))
        .other("WH-001", "/api/orders/ORD-001/pack"),
        Case::post(
            "/api/orders/{id}/send-back",
            allow(&["WH-001"]).deny(&["SALES-001", "QC-001"]),
        )
        .at("/api/orders/ORD-003/send-back")
        .body(json!({"reason": "Recount"})),
        Case::post(
            "/api/orders/{id}/qc",
            allow(&["USER-001"]).deny(&["SALES-001", "WH-001", "DRV-001"]),
        )
        .at("/api/orders/ORD-003/qc")
        .body(
            json!({"tempVerified": true, "packagingIntact": true, "weightVerified": true,
            "labelClarity": true, "invoiceDcAttached": true, "passed": true}),
        )
        .expect(409)
        .other("QC-001", "/api/orders/ORD-003/qc"),
        Case::post(
            "/api/orders/{id}/logistics-cost",
            allow(&["USER-001"]).deny(&["SALES-001", "WH-001", "BILL-001"]),
        )
        .at("/api/orders/ORD-004/logistics-cost")
        .body(json!({"thermacolBoxCount": 2, "dryIceKg": 5}))
        .expect(409)
        .other("LOGT-001", "/api/orders/ORD-004/logistics-cost"),
        Case::post(
            "/api/orders/{id}/admin-review",
            allow(&["USER-001"]).deny(&["SALES-001", "CREDIT-001", "LOG-001"]),
        )
        .at("/api/orders/ORD-001/admin-review")
        .body(json!({"decision": "approve"}))
        .expect(409),
        Case::post(
            "/api/orders/{id}/invoice",
            allow(&["USER-001"]).deny(&["SALES-001", "WH-001", "LOG-001"]),
        )
        .at("/api/orders/ORD-001/invoice")
        .body(json!({"invoiceNo": "INV-2026-0001"}))
        .expect(409)
        .other("BILL-001", "/api/orders/ORD-001/invoice"),
        Case::post(
            "/api/orders/{id}/dispatch",
            allow(&["USER-001"]).deny(&["SALES-001", "BILL-001", "DRV-001"]),
        )
        .at("/api/orders/ORD-001/dispatch")
        .body(
            json!({"deliveryAgentId": "DRV-001", "vehicleNo": "MH-04-AB-1234",
            "ewayBill": "331000001234", "sealNo": "SEAL-1"}),
        )
        .expect(409)
        .other("HUB-001", "/api/orders/ORD-001/dispatch"),
        Case::post(
            "/api/logistics/bulk-assign",
            allow(&["HUB-001"]).deny(&["SALES-001", "WH-001", "DRV-001", "BILL-001"]),
        )
        .body(
            json!({"orderIds": ["ORD-003"], "logisticsData": {"deliveryAgentId": "DRV-001",
            "vehicleNo": "MH-04-AB-1234", "ewayBill": "331000001234", "sealNo": "SEAL-1"}}),
        ),
        Case::post(
            "/api/orders/{id}/out-for-delivery",
            allow(&["DRV-001"]).deny(&["SALES-001", "HUB-001", "LOG-001"]),
        )
        .at("/api/orders/ORD-004/out-for-delivery"),
        Case::post(
            "/api/orders/{id}/deliver",
            allow(&["DRV-001"]).deny(&["SALES-001", "HUB-001"]),
        )
        .at("/api/orders/ORD-004/deliver")
        .body(json!({"otp": "000000", "cashCollected": 0})),
        Case::post(
            "/api/orders/{id}/part-accept",
            allow(&["DRV-001"]).deny(&["SALES-001", "HUB-001", "WH-001"]),
        )
        .at("/api/orders/ORD-004/part-accept")
        .body(json!({"otp": "000000", "deliveredQuantities": [1], "cashCollected": 0})),
        Case::post(
            "/api/orders/{id}/reopen-backorder",
            allow(&["WH-001"]).deny(&["SALES-001", "DRV-001", "CREDIT-001"]),
        )
        .at("/api/orders/ORD-003/reopen-backorder")
        .body(json!({"reason": "Customer wants the rest on Friday"}))
        .expect(409),
        Case::post(
            "/api/orders/{id}/return-to-warehouse",
            allow(&["DRV-001"]).deny(&["SALES-001", "WH-001"]),
        )
        .at("/api/orders/ORD-004/return-to-warehouse")
        .body(json!({"reason": "Customer refused the delivery"})),
        Case::post(
            "/api/orders/{id}/bypass",
            allow(&["USER-001"]).deny(&["SALES-001", "CREDIT-001", "NSM-001"]),
        )
        .at("/api/orders/ORD-001/bypass")
        .body(json!({"to": "Pending WH Selection", "reason": "Approved by phone"})),
        Case::post(
            "/api/orders/bulk-update",
            allow(&["CREDIT-001"]).deny(&["SALES-001", "WH-001"]),
        )
        .body(json!({"orderIds": ["ORD-001"],
            "action": {"step": "credit-decision", "decision": "approve"}})),
        Case::post(
            "/api/orders/clearance",
            allow(&["SALES-001"]).deny(&["CREDIT-001", "WH-001", "DRV-001"]),
        )
        .body(
            json!({"customerId": "CUST-001", "items": [{"productId": "PROD-002",
            "batchNumber": "BATCH-003", "quantity": 2, "proposedRate": 250}]}),
        )
        .expect(201),
        Case::get(
            "/api/orders/clearance/history",
            allow(&["SALES-001"]).deny(&["WH-001", "DRV-001", "QC-001"]),
        ),
        Case::post(
            "/api/orders/stn",
            allow(&["WHM-001"]).deny(&["CREDIT-001", "QC-001", "DRV-001", "BILL-001"]),
        )
        .body(
            json!({"sourceWarehouse": "WH-KURLA", "destinationWarehouse": "WH-DELHI",
            "items": [{"productId": "PROD-004", "quantity": 5}]}),
        )
        .expect(201),
        Case::post(
            "/api/orders/{id}/receive",
            allow(&["USER-001"]).deny(&["SALES-001", "QC-001", "DRV-001"]),
        )
        .at("/api/orders/ORD-003/receive")
        .body(json!({}))
        .expect(409),
        Case::get(
            "/api/orders/bulk/template",
            allow(&["SALES-001"]).deny(&["WH-001", "CREDIT-001"]),
        ),
        // The legacy JSON upload of a real (tiny) workbook; parsing is the worker's job.
        Case::post(
            "/api/orders/bulk",
            allow(&["SALES-001"]).deny(&["CREDIT-001", "WH-001"]),
        )
        .body(json!({"excelData": tiny_workbook_base64()}))
        .expect(202),
    ]
}
