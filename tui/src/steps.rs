//! The order lifecycle steps the console offers (domain.md §3.7), each with the permission
//! it needs, the statuses it starts from and the fields its endpoint takes.
//!
//! Why a table here when the server decides anyway: the console shows only what this user
//! may do now (k9s-style: no dead menu entries), and the form asks for exactly the step's
//! fields. The server stays the judge; a 403/409 it returns is shown as is.

use serde_json::{Map, Value, json};

/// The kind of value a form field takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Number,
    /// Toggled with space; starts at the given value.
    Bool(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDef {
    /// The JSON field name the endpoint takes.
    pub name: &'static str,
    pub label: &'static str,
    pub kind: FieldKind,
    pub required: bool,
}

const fn text(name: &'static str, label: &'static str, required: bool) -> FieldDef {
    FieldDef {
        name,
        label,
        kind: FieldKind::Text,
        required,
    }
}

const fn number(name: &'static str, label: &'static str) -> FieldDef {
    FieldDef {
        name,
        label,
        kind: FieldKind::Number,
        required: false,
    }
}

const fn flag(name: &'static str, label: &'static str, on: bool) -> FieldDef {
    FieldDef {
        name,
        label,
        kind: FieldKind::Bool(on),
        required: false,
    }
}

/// Who may run a step besides holders of `permission`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Also {
    Nobody,
    /// The order's salesperson (cancel before WH selection, release a hold).
    Owner,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepDef {
    pub label: &'static str,
    /// The path segment under `/api/orders/{id}/`.
    pub endpoint: &'static str,
    /// The permissions any one of which allows the step.
    pub permissions: &'static [&'static str],
    pub also: Also,
    pub from: &'static [&'static str],
    /// Fixed body fields (e.g. the credit decision).
    pub preset: &'static [(&'static str, &'static str)],
    pub fields: &'static [FieldDef],
    /// Steps without a request body (POST with nothing).
    pub no_body: bool,
    /// Body fields the console fills from the order itself.
    pub derived: Derived,
}

/// Body fields taken from the order rather than typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Derived {
    Nothing,
    /// `lines`: every line picked exactly as allocated (the full pack; a short pick is
    /// not offered here).
    PickAsAllocated,
}

const PCA: &str = "Pending Credit Approval";
const ON_HOLD: &str = "On Hold";
const PWS: &str = "Pending WH Selection";
const PACKING: &str = "Pending Packing";
const PART_PACKED: &str = "Part Packed";
const PQC: &str = "Pending Quality Control";
const PLC: &str = "Pending Logistics Cost";
const PAR: &str = "Pending Admin Review";
const RFB: &str = "Ready for Billing";
const RFD: &str = "Ready for Dispatch";
const TRANSIT: &str = "In Transit";
const OFD: &str = "Out for Delivery";

/// Every non-terminal status (for the admin bypass).
const OPEN: &[&str] = &[
    PCA,
    ON_HOLD,
    PWS,
    PACKING,
    PART_PACKED,
    "Backorder",
    PQC,
    PLC,
    PAR,
    RFB,
    RFD,
    TRANSIT,
    OFD,
];

const QC_CHECKS: &[FieldDef] = &[
    flag("tempVerified", "Temperature verified", true),
    flag("packagingIntact", "Packaging intact", true),
    flag("weightVerified", "Weight verified", true),
    flag("labelClarity", "Labels clear", true),
    flag("invoiceDcAttached", "Invoice/DC attached", true),
    number("actualTemp", "Actual temperature °C"),
    text("remarks", "Remarks", false),
];

pub const STEPS: &[StepDef] = &[
    StepDef {
        label: "Approve credit",
        endpoint: "credit-decision",
        permissions: &["approve_credit"],
        also: Also::Nobody,
        from: &[PCA],
        preset: &[("decision", "approve")],
        fields: &[text("reason", "Reason", false)],
        no_body: false,
        derived: Derived::Nothing,
    },
    StepDef {
        label: "Put on hold",
        endpoint: "credit-decision",
        permissions: &["approve_credit"],
        also: Also::Nobody,
        from: &[PCA],
        preset: &[("decision", "hold")],
        fields: &[text("reason", "Reason", true)],
        no_body: false,
        derived: Derived::Nothing,
    },
    StepDef {
        label: "Reject credit",
        endpoint: "credit-decision",
        permissions: &["approve_credit"],
        also: Also::Nobody,
        from: &[PCA],
        preset: &[("decision", "reject")],
        fields: &[text("reason", "Reason", true)],
        no_body: false,
        derived: Derived::Nothing,
    },
    StepDef {
        label: "Release hold",
        endpoint: "release-hold",
        permissions: &["approve_credit"],
        also: Also::Owner,
        from: &[ON_HOLD],
        preset: &[],
        fields: &[],
        no_body: true,
        derived: Derived::Nothing,
    },
    StepDef {
        label: "Assign warehouse",
        endpoint: "assign-warehouse",
        permissions: &["manage_warehouse"],
        also: Also::Nobody,
        from: &[PWS],
        preset: &[],
        fields: &[
            text("warehouseId", "Warehouse id", true),
            flag("allowPartial", "Allow partial", false),
        ],
        no_body: false,
        derived: Derived::Nothing,
    },
    StepDef {
        label: "Pack as allocated",
        endpoint: "pack",
        permissions: &["manage_warehouse"],
        also: Also::Nobody,
        from: &[PACKING],
        preset: &[],
        fields: &[],
        no_body: false,
        derived: Derived::PickAsAllocated,
    },
    StepDef {
        label: "Send back to WH selection",
        endpoint: "send-back",
        permissions: &["manage_warehouse"],
        also: Also::Nobody,
        from: &[PACKING, PART_PACKED],
        preset: &[],
        fields: &[text("reason", "Reason", false)],
        no_body: false,
        derived: Derived::Nothing,
    },
    StepDef {
        label: "QC pass",
        endpoint: "qc",
        permissions: &["quality_control"],
        also: Also::Nobody,
        from: &[PQC],
        preset: &[("passed", "true")],
        fields: QC_CHECKS,
        no_body: false,
        derived: Derived::Nothing,
    },
    StepDef {
        label: "QC fail",
        endpoint: "qc",
        permissions: &["quality_control"],
        also: Also::Nobody,
        from: &[PQC],
        preset: &[("passed", "false")],
        fields: &[text("remarks", "Remarks", true)],
        no_body: false,
        derived: Derived::Nothing,
    },
    StepDef {
        label: "Enter logistics cost",
        endpoint: "logistics-cost",
        permissions: &["logistics_costing"],
        also: Also::Nobody,
        from: &[PLC],
        preset: &[],
        fields: &[
            number("thermacolBoxCount", "Thermacol boxes"),
            number("thermacolRate", "Thermacol rate"),
            number("dryIceKg", "Dry ice kg"),
            number("dryIceRate", "Dry ice rate"),
            number("whToStationAmount", "WH → station"),
            number("stationToLocAmount", "Station → location"),
            number("whToCustAmount", "WH → customer"),
        ],
        no_body: false,
        derived: Derived::Nothing,
    },
    StepDef {
        label: "Approve high cost",
        endpoint: "admin-review",
        permissions: &["admin_bypass"],
        also: Also::Nobody,
        from: &[PAR],
        preset: &[("decision", "approve")],
        fields: &[text("reason", "Reason", false)],
        no_body: false,
        derived: Derived::Nothing,
    },
    StepDef {
        label: "Reject high cost",
        endpoint: "admin-review",
        permissions: &["admin_bypass"],
        also: Also::Nobody,
        from: &[PAR],
        preset: &[("decision", "reject")],
        fields: &[text("reason", "Reason", true)],
        no_body: false,
        derived: Derived::Nothing,
    },
    StepDef {
        label: "Invoice",
        endpoint: "invoice",
        permissions: &["invoicing"],
        also: Also::Nobody,
        from: &[RFB],
        preset: &[],
        fields: &[
            text("invoiceNo", "Invoice number", true),
            text("invoiceDate", "Invoice date (YYYY-MM-DD)", false),
        ],
        no_body: false,
        derived: Derived::Nothing,
    },
    StepDef {
        label: "Dispatch",
        endpoint: "dispatch",
        permissions: &["fleet_loading"],
        also: Also::Nobody,
        from: &[RFD],
        preset: &[],
        fields: &[
            text("deliveryAgentId", "Delivery agent id", true),
            text("vehicleNo", "Vehicle number", true),
            text("ewayBill", "E-way bill (12 digits)", true),
            text("sealNo", "Seal number", true),
            text("vehicleType", "Vehicle type", false),
            number("distanceKm", "Distance km"),
        ],
        no_body: false,
        derived: Derived::Nothing,
    },
    StepDef {
        label: "Out for delivery",
        endpoint: "out-for-delivery",
        permissions: &["delivery"],
        also: Also::Nobody,
        from: &[TRANSIT],
        preset: &[],
        fields: &[],
        no_body: true,
        derived: Derived::Nothing,
    },
    StepDef {
        label: "Deliver",
        endpoint: "deliver",
        permissions: &["delivery"],
        also: Also::Nobody,
        from: &[OFD],
        preset: &[],
        fields: &[
            text("otp", "OTP", true),
            text("receiverName", "Receiver", false),
            number("cashCollected", "Cash collected"),
            text("remarks", "Remarks", false),
        ],
        no_body: false,
        derived: Derived::Nothing,
    },
    StepDef {
        label: "Return to warehouse",
        endpoint: "return-to-warehouse",
        permissions: &["delivery"],
        also: Also::Nobody,
        from: &[OFD],
        preset: &[],
        fields: &[text("reason", "Reason", true)],
        no_body: false,
        derived: Derived::Nothing,
    },
    StepDef {
        label: "Cancel order",
        endpoint: "cancel",
        permissions: &["approve_credit", "admin_bypass"],
        also: Also::Owner,
        from: &[PCA, ON_HOLD, PWS, PACKING, PART_PACKED],
        preset: &[],
        fields: &[text("reason", "Reason", false)],
        no_body: false,
        derived: Derived::Nothing,
    },
    StepDef {
        label: "Bypass to status (admin)",
        endpoint: "bypass",
        permissions: &["admin_bypass"],
        also: Also::Nobody,
        from: OPEN,
        preset: &[],
        fields: &[
            text("to", "Target status", true),
            text("reason", "Reason", true),
        ],
        no_body: false,
        derived: Derived::Nothing,
    },
];

/// The steps a user may take on an order now. `can` answers whether the user holds a
/// permission at the full level; `is_owner` whether they booked the order.
pub fn available(
    status: &str,
    can: impl Fn(&str) -> bool,
    is_owner: bool,
) -> Vec<&'static StepDef> {
    STEPS
        .iter()
        .filter(|s| s.from.contains(&status))
        .filter(|s| s.permissions.iter().any(|&p| can(p)) || (s.also == Also::Owner && is_owner))
        .collect()
}

/// A form being filled in for a step: one text buffer per field.
#[derive(Debug, Clone, PartialEq)]
pub struct StepForm {
    pub order_id: String,
    pub step: &'static StepDef,
    pub values: Vec<String>,
    pub focus: usize,
    pub error: Option<String>,
    /// Body fields filled from the order (see [`Derived`]).
    pub extra: Map<String, Value>,
}

impl StepForm {
    pub fn new(order_id: &str, step: &'static StepDef) -> StepForm {
        StepForm {
            order_id: order_id.to_string(),
            step,
            values: step
                .fields
                .iter()
                .map(|f| match f.kind {
                    FieldKind::Bool(on) => yes_no(on).to_string(),
                    _ => String::new(),
                })
                .collect(),
            focus: 0,
            error: None,
            extra: Map::new(),
        }
    }

    /// A form for a step on a loaded order, with the fields the order decides filled in.
    pub fn for_order(
        detail: Option<&crate::dto::OrderDetail>,
        order_id: &str,
        step: &'static StepDef,
    ) -> Result<StepForm, String> {
        let mut form = StepForm::new(order_id, step);
        match step.derived {
            Derived::Nothing => {}
            Derived::PickAsAllocated => {
                let d = detail.filter(|d| d.row.id == order_id).ok_or_else(|| {
                    format!("Open {order_id} (Enter) first: the pack uses its allocation.")
                })?;
                if d.lines.iter().all(|l| l.allocated.is_empty()) {
                    return Err(format!("{order_id} has no allocated batches to pack."));
                }
                let lines: Vec<Value> = d
                    .lines
                    .iter()
                    .map(|l| {
                        let batches: Vec<Value> = l
                            .allocated
                            .iter()
                            .map(|(b, q)| json!({ "batchNumber": b, "qty": q }))
                            .collect();
                        json!({ "batches": batches })
                    })
                    .collect();
                form.extra.insert("lines".into(), Value::Array(lines));
            }
        }
        Ok(form)
    }

    /// The request body, or a message naming the first field that is missing or malformed.
    pub fn body(&self) -> Result<Option<Value>, String> {
        if self.step.no_body {
            return Ok(None);
        }
        let mut body = Map::new();
        for (k, v) in self.step.preset {
            let value = match *v {
                "true" => json!(true),
                "false" => json!(false),
                other => json!(other),
            };
            body.insert((*k).to_string(), value);
        }
        body.extend(self.extra.clone());
        for (f, raw) in self.step.fields.iter().zip(&self.values) {
            let raw = raw.trim();
            if raw.is_empty() {
                if f.required {
                    return Err(format!("{} is required", f.label));
                }
                continue;
            }
            let value = match f.kind {
                FieldKind::Text => json!(raw),
                FieldKind::Number => {
                    let n: f64 = raw
                        .parse()
                        .map_err(|_| format!("{} must be a number, not `{raw}`", f.label))?;
                    json!(n)
                }
                FieldKind::Bool(_) => json!(raw == "yes"),
            };
            body.insert(f.name.to_string(), value);
        }
        Ok(Some(Value::Object(body)))
    }

    /// Types into the focused field (space toggles a yes/no field).
    pub fn type_char(&mut self, c: char) {
        let Some(f) = self.step.fields.get(self.focus) else {
            return;
        };
        let v = &mut self.values[self.focus];
        match f.kind {
            FieldKind::Bool(_) => {
                if c == ' ' || c == 'y' || c == 'n' {
                    let on = if c == ' ' { v != "yes" } else { c == 'y' };
                    *v = yes_no(on).to_string();
                }
            }
            _ => v.push(c),
        }
        self.error = None;
    }

    pub fn backspace(&mut self) {
        if let Some(f) = self.step.fields.get(self.focus)
            && !matches!(f.kind, FieldKind::Bool(_))
        {
            self.values[self.focus].pop();
        }
    }

    pub fn next(&mut self) {
        if !self.values.is_empty() {
            self.focus = (self.focus + 1) % self.values.len();
        }
    }

    pub fn prev(&mut self) {
        if !self.values.is_empty() {
            self.focus = (self.focus + self.values.len() - 1) % self.values.len();
        }
    }
}

fn yes_no(on: bool) -> &'static str {
    if on { "yes" } else { "no" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(steps: &[&StepDef]) -> Vec<&'static str> {
        steps.iter().map(|s| s.label).collect()
    }

    #[test]
    fn credit_control_sees_the_credit_steps_and_cancel() {
        let can = |p: &str| p == "approve_credit";
        assert_eq!(
            labels(&available(PCA, can, false)),
            vec![
                "Approve credit",
                "Put on hold",
                "Reject credit",
                "Cancel order"
            ]
        );
        assert!(
            available(PWS, can, false)
                .iter()
                .all(|s| s.endpoint == "cancel")
        );
    }

    #[test]
    fn a_salesperson_may_cancel_only_their_own_order() {
        let can = |p: &str| p == "create_orders";
        assert_eq!(labels(&available(PCA, can, true)), vec!["Cancel order"]);
        assert!(available(PCA, can, false).is_empty());
        assert!(available("Delivered", |_| true, true).is_empty());
    }

    #[test]
    fn the_pack_picks_every_line_as_allocated() {
        use crate::dto::{OrderDetail, OrderLine, OrderRow};
        let pack = STEPS.iter().find(|s| s.endpoint == "pack").unwrap();
        assert_eq!(
            StepForm::for_order(None, "ORD-1", pack).unwrap_err(),
            "Open ORD-1 (Enter) first: the pack uses its allocation."
        );
        let d = OrderDetail {
            row: OrderRow {
                id: "ORD-1".into(),
                ..OrderRow::default()
            },
            lines: vec![
                OrderLine {
                    allocated: vec![("B1".into(), 4.0), ("B2".into(), 6.0)],
                    ..OrderLine::default()
                },
                OrderLine {
                    allocated: vec![("B3".into(), 2.0)],
                    ..OrderLine::default()
                },
            ],
            ..OrderDetail::default()
        };
        let body = StepForm::for_order(Some(&d), "ORD-1", pack)
            .unwrap()
            .body()
            .unwrap()
            .unwrap();
        assert_eq!(
            body,
            json!({"lines": [
                {"batches": [{"batchNumber": "B1", "qty": 4.0}, {"batchNumber": "B2", "qty": 6.0}]},
                {"batches": [{"batchNumber": "B3", "qty": 2.0}]}
            ]})
        );
    }

    #[test]
    fn the_form_builds_the_body_and_names_what_is_missing() {
        let hold = STEPS.iter().find(|s| s.label == "Put on hold").unwrap();
        let mut f = StepForm::new("ORD-1", hold);
        assert_eq!(f.body(), Err("Reason is required".into()));
        for c in "late payer".chars() {
            f.type_char(c);
        }
        assert_eq!(
            f.body().unwrap().unwrap(),
            json!({"decision": "hold", "reason": "late payer"})
        );

        let cost = STEPS
            .iter()
            .find(|s| s.endpoint == "logistics-cost")
            .unwrap();
        let mut f = StepForm::new("ORD-1", cost);
        f.type_char('x');
        assert_eq!(
            f.body(),
            Err("Thermacol boxes must be a number, not `x`".into())
        );

        let qc = STEPS.iter().find(|s| s.label == "QC pass").unwrap();
        let mut f = StepForm::new("ORD-1", qc);
        f.type_char(' ');
        let body = f.body().unwrap().unwrap();
        assert_eq!(body["passed"], true);
        assert_eq!(body["tempVerified"], false);
        assert_eq!(body["packagingIntact"], true);
    }
}
