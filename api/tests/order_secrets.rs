//! An order's server-only fields (the delivery OTP's keyed hash and its attempt counter)
//! leave the server through no read: not the order reads, and not the dashboards or the
//! GDPR export that carry whole orders.

mod support;

use nexus_core::model::Order;
use nexus_core::store::Write;
use reqwest::StatusCode;
use serde_json::json;
use support::*;

#[tokio::test]
async fn no_read_shows_an_orders_delivery_otp_secrets() {
    let app = spawn_app().await;
    let mut order: Order = stored(&app, "ORD-001").await;
    order.id = "ORD-OTP-001".into();
    order
        .extra
        .insert("deliveryOtpHash".into(), json!("secret-hash-value"));
    order.extra.insert("deliveryOtpAttempts".into(), json!(2));
    app.store
        .commit(vec![Write::insert(&order).unwrap()])
        .await
        .unwrap();
    let salesperson = order.salesperson_id.clone().unwrap_or_default();
    for path in [
        "/api/orders/ORD-OTP-001".to_string(),
        "/api/orders".to_string(),
        "/api/analytics/sales-hub".to_string(),
        format!("/api/gdpr/export/{salesperson}"),
    ] {
        let r = app.get("USER-001", &path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        let text = r.body.to_string();
        assert!(
            text.contains("ORD-OTP-001"),
            "{path} should carry the order"
        );
        assert!(
            !text.contains("deliveryOtpHash") && !text.contains("secret-hash-value"),
            "{path} shows the OTP hash"
        );
        assert!(!text.contains("deliveryOtpAttempts"), "{path}");
    }
}
