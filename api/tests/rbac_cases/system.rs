use super::{Case, Who};

pub fn cases() -> Vec<Case> {
    vec![
        Case::get("/", Who::Public),
        Case::get("/api/health", Who::Public),
        Case::get("/api/ready", Who::Public),
        Case::get("/api/openapi.json", Who::Public),
    ]
}
