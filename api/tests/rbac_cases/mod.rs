//! RBAC cases, one module per API area. Each case names the route as documented in the
//! OpenAPI (`/api/orders/{id}`), a concrete path on seeded data, who may call it, and who may
//! not. Seeded users: USER-001 Admin, NSM-001, RSM-001, ASM-001, SALES-001, SALES-002,
//! SEXEC-001, CREDIT-001, WHM-001 WH Manager, WHH-001 WH House, WH-001 Warehouse, QC-001,
//! LOG-001 Logistics Lead, LOGT-001 Logistics Team, BILL-001, ATL-001, HUB-001, DRV-001,
//! PROC-001 Procurement, PROCH-001 Procurement Head.
#![allow(dead_code)]

mod ai;
mod analytics;
mod attendance;
mod audit;
mod auth;
mod customers;
mod distributor_prices;
mod gdpr;
mod jobs;
mod logistics;
mod orders;
mod packaging;
mod pms;
mod procurement;
mod products;
mod system;
mod uploads;
mod users;
mod warehouses;
mod ws;

use reqwest::Method;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum Who {
    /// No authentication required.
    Public,
    /// Any signed-in user (this one is used for the success check).
    AnyUser(&'static str),
    /// `allowed[0]` must succeed; every `denied` user must get 403.
    Roles {
        allowed: &'static [&'static str],
        denied: &'static [&'static str],
    },
}

/// Only these users may call the route (`users[0]` is used for the success check); name
/// the ones who must get 403 with [`Who::deny`].
pub fn allow(users: &'static [&'static str]) -> Who {
    Who::Roles {
        allowed: users,
        denied: &[],
    }
}

impl Who {
    /// The users of other roles who must get 403 (after [`allow`]).
    pub fn deny(self, users: &'static [&'static str]) -> Who {
        match self {
            Who::Roles { allowed, .. } => Who::Roles {
                allowed,
                denied: users,
            },
            other => panic!("deny() names the refused users of allow(), not of {other:?}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct OtherObject {
    /// A user who may use this route in general…
    pub user: &'static str,
    /// …but not on the object at this path (expect 403 or 404).
    pub path: String,
    pub body: Option<Value>,
}

#[derive(Debug, Clone)]
pub struct Case {
    pub method: Method,
    pub template: &'static str,
    pub path: String,
    pub body: Option<Value>,
    pub who: Who,
    pub other_object: Option<OtherObject>,
    /// The status the allowed call must return (default: any 2xx).
    pub expect: Option<u16>,
}

impl Case {
    pub fn new(method: Method, template: &'static str, path: impl Into<String>, who: Who) -> Case {
        Case {
            method,
            template,
            path: path.into(),
            body: None,
            who,
            other_object: None,
            expect: None,
        }
    }
    /// A route without path parameters (the path is the template), or with them and a
    /// concrete path given by [`Case::at`].
    pub fn get(template: &'static str, who: Who) -> Case {
        Case::new(Method::GET, template, template, who)
    }
    pub fn post(template: &'static str, who: Who) -> Case {
        Case::new(Method::POST, template, template, who)
    }
    pub fn put(template: &'static str, who: Who) -> Case {
        Case::new(Method::PUT, template, template, who)
    }
    pub fn patch(template: &'static str, who: Who) -> Case {
        Case::new(Method::PATCH, template, template, who)
    }
    pub fn delete(template: &'static str, who: Who) -> Case {
        Case::new(Method::DELETE, template, template, who)
    }
    pub fn at(mut self, path: impl Into<String>) -> Case {
        self.path = path.into();
        self
    }
    pub fn body(mut self, b: Value) -> Case {
        self.body = Some(b);
        self
    }
    pub fn other(mut self, user: &'static str, path: impl Into<String>) -> Case {
        self.other_object = Some(OtherObject {
            user,
            path: path.into(),
            body: None,
        });
        self
    }
    pub fn expect(mut self, status: u16) -> Case {
        self.expect = Some(status);
        self
    }
}

pub fn all() -> Vec<Case> {
    let mut v = Vec::new();
    v.extend(system::cases());
    v.extend(auth::cases());
    v.extend(users::cases());
    v.extend(attendance::cases());
    v.extend(audit::cases());
    v.extend(gdpr::cases());
    v.extend(jobs::cases());
    v.extend(customers::cases());
    v.extend(products::cases());
    v.extend(distributor_prices::cases());
    v.extend(uploads::cases());
    v.extend(warehouses::cases());
    v.extend(packaging::cases());
    v.extend(procurement::cases());
    v.extend(pms::cases());
    v.extend(analytics::cases());
    v.extend(logistics::cases());
    v.extend(ai::cases());
    v.extend(ws::cases());
    v.extend(orders::cases());
    v
}
