//! Who gets which event: the socket shows only what the user could fetch over REST. The
//! legacy socket put everyone in `user:<id>` and `role:<role>` rooms and broadcast
//! `order:created` to every connected socket (api.md §3 E4), so every salesperson would have
//! seen every new order; here each event's [`Audience`] is checked against the subscriber's
//! current permissions and order scope (domain.md §4.7: Admin/NSM all, RSM/ASM their
//! recursive team, Sales themselves, operational roles their queue statuses, drivers their
//! own deliveries).

use nexus_core::auth::scope::{OrderScope, order_scope};
use nexus_core::auth::{Access, ActorContext, Permission};
use nexus_core::events::{Audience, Event, Topic};
use nexus_core::model::OrderStatus;
use std::collections::{BTreeSet, HashSet};

/// One subscriber's view: who they are now (refreshed on every heartbeat, so a role or
/// permission change applies to open sockets too) and what they subscribed to.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub ctx: ActorContext,
    pub scope: OrderScope,
    pub topics: HashSet<Topic>,
}

impl Viewer {
    pub fn new(ctx: ActorContext, subordinates: &BTreeSet<String>) -> Self {
        let scope = order_scope(&ctx, subordinates);
        Viewer {
            ctx,
            scope,
            topics: HashSet::new(),
        }
    }

    /// Re-reads identity after the user record was checked again.
    pub fn refresh(&mut self, ctx: ActorContext, subordinates: &BTreeSet<String>) {
        self.scope = order_scope(&ctx, subordinates);
        self.ctx = ctx;
    }

    /// The subscribed topics in a stable order (for messages).
    pub fn topic_names(&self) -> Vec<&'static str> {
        Topic::ALL
            .into_iter()
            .filter(|t| self.topics.contains(t))
            .map(Topic::as_str)
            .collect()
    }

    /// Subscribed to the topic, and inside the event's audience.
    pub fn wants(&self, e: &Event) -> bool {
        self.topics.contains(&e.topic) && self.may_see(&e.audience)
    }

    /// Every restriction the audience names must hold (they combine with AND); an audience
    /// with no restriction reaches every subscriber of the topic.
    pub fn may_see(&self, a: &Audience) -> bool {
        if !a.users.is_empty() && !a.users.contains(&self.ctx.user_id) {
            return false;
        }
        if !a.permissions.is_empty()
            && !a.permissions.iter().any(|p| {
                Permission::parse(p).is_some_and(|p| self.ctx.permissions.allows(p, Access::View))
            })
        {
            return false;
        }
        let about_an_order =
            a.salesperson_id.is_some() || a.order_status.is_some() || a.delivery_agent_id.is_some();
        if about_an_order {
            return self.sees_order(a);
        }
        true
    }

    /// The same union as `OrderScope::contains`, over the facts the event carries (an event
    /// may lack the status, e.g. a deletion, and then only the other grants apply).
    fn sees_order(&self, a: &Audience) -> bool {
        let s = &self.scope;
        s.all
            || a.salesperson_id
                .as_deref()
                .is_some_and(|sp| s.salespeople.contains(sp))
            || a.order_status
                .as_deref()
                .and_then(OrderStatus::parse)
                .is_some_and(|st| s.statuses.contains(&st))
            || matches!((&s.delivery_agent, a.delivery_agent_id.as_deref()), (Some(me), Some(agent)) if me == agent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nexus_core::auth::Role;
    use nexus_core::events::types;
    use serde_json::json;

    fn viewer(id: &str, role: Role, subs: &[&str]) -> Viewer {
        let subs: BTreeSet<String> = subs.iter().map(|s| s.to_string()).collect();
        let mut v = Viewer::new(ActorContext::with_role(id, role), &subs);
        v.topics.extend(Topic::ALL);
        v
    }

    fn order_event(salesperson: &str, status: &str) -> Event {
        Event::new(Topic::Orders, types::ORDER_CREATED, json!({})).to(Audience {
            salesperson_id: Some(salesperson.into()),
            order_status: Some(status.into()),
            ..Default::default()
        })
    }

    #[test]
    fn order_events_follow_the_sales_hierarchy() {
        let e = order_event("SALES-002", "Pending Credit Approval");
        assert!(!viewer("SALES-001", Role::Sales, &[]).wants(&e));
        assert!(viewer("SALES-002", Role::Sales, &[]).wants(&e));
        assert!(viewer("ASM-001", Role::Asm, &["SALES-001", "SALES-002"]).wants(&e));
        assert!(!viewer("ASM-009", Role::Asm, &["SALES-077"]).wants(&e));
        assert!(viewer("USER-001", Role::Admin, &[]).wants(&e));
        // Credit control's queue is "Pending Credit Approval"; the warehouse's is not.
        assert!(viewer("CREDIT-001", Role::CreditControl, &[]).wants(&e));
        assert!(!viewer("WH-001", Role::Warehouse, &[]).wants(&e));
        assert!(
            viewer("WH-001", Role::Warehouse, &[])
                .wants(&order_event("SALES-002", "Pending Packing"))
        );
    }

    #[test]
    fn drivers_get_only_their_own_deliveries() {
        let mine = Event::new(Topic::Orders, types::ORDER_STATUS_CHANGED, json!({})).to(Audience {
            salesperson_id: Some("SALES-001".into()),
            order_status: Some("Out for Delivery".into()),
            delivery_agent_id: Some("DRV-001".into()),
            ..Default::default()
        });
        let mut theirs = mine.clone();
        theirs.audience.delivery_agent_id = Some("DRV-002".into());
        let driver = viewer("DRV-001", Role::DeliveryTeam, &[]);
        assert!(driver.wants(&mine));
        assert!(!driver.wants(&theirs));
    }

    #[test]
    fn users_and_permissions_restrict_and_topics_select() {
        let job = Event::new(Topic::Jobs, types::JOB_PROGRESS, json!({})).to(Audience {
            users: vec!["SALES-001".into()],
            ..Default::default()
        });
        assert!(viewer("SALES-001", Role::Sales, &[]).wants(&job));
        assert!(!viewer("SALES-002", Role::Sales, &[]).wants(&job));

        let low = Event::new(Topic::Alerts, types::PACKAGING_LOW_STOCK, json!({})).to(Audience {
            permissions: vec!["manage_warehouse".into(), "procurement".into()],
            ..Default::default()
        });
        assert!(viewer("WH-001", Role::Warehouse, &[]).wants(&low));
        assert!(viewer("PROC-001", Role::Procurement, &[]).wants(&low));
        assert!(!viewer("SALES-001", Role::Sales, &[]).wants(&low));

        let mut not_subscribed = viewer("USER-001", Role::Admin, &[]);
        not_subscribed.topics = [Topic::Orders].into_iter().collect();
        assert!(!not_subscribed.wants(&low));
        assert_eq!(not_subscribed.topic_names(), vec!["orders"]);

        let open = Event::new(Topic::Stock, types::STOCK_CHANGED, json!({}));
        assert!(viewer("SALES-001", Role::Sales, &[]).wants(&open));
    }

    #[test]
    fn a_refresh_applies_a_role_change_to_an_open_socket() {
        let e = order_event("SALES-002", "Delivered");
        let mut v = viewer("X-1", Role::Sales, &[]);
        assert!(!v.wants(&e));
        v.refresh(
            ActorContext::with_role("X-1", Role::Admin),
            &BTreeSet::new(),
        );
        assert!(v.wants(&e));
    }
}
