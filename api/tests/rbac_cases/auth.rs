use super::{Case, Who};
use serde_json::json;

pub fn cases() -> Vec<Case> {
    vec![
        Case::post("/api/login", Who::Public)
            .body(json!({"email": "admin@nexusoms.com", "password": "admin123"})),
        // Refresh authenticates by the body's token, not a header: a garbage token is a 401.
        Case::post("/api/auth/refresh", Who::Public)
            .body(json!({"refreshToken": "garbage"}))
            .expect(401),
        // Public (the gateway proves itself with its key): without the key, refused
        // whether or not this server has a gateway.
        Case::post("/api/auth/gateway-login", Who::Public)
            .body(json!({"userId": "USER-001"}))
            .expect(401),
        Case::post("/api/auth/logout", Who::AnyUser("SALES-001")),
        Case::get("/api/auth/me", Who::AnyUser("DRV-001")),
        Case::post("/api/auth/change-password", Who::AnyUser("SALES-001"))
            .body(json!({"currentPassword": "sales123", "newPassword": "An0ther-Str0ng-One"})),
    ]
}
