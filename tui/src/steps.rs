//! How the console asks for each lifecycle step's inputs: per step code, its label, the
//! form fields its endpoint takes and the body parts the console derives from the order.
//!
//! Which steps an order offers is not decided here. The server lists them on every order it
//! returns (`availableSteps`, dry-run through the transition rules themselves, see
//! `nexus_core::wire::AvailableStep`), and the console offers exactly those, in the server's
//! order, sending each to the server's method and path with the server's body plus the
//! form's fields. A table of permissions and statuses here used to drift from the rules
//! (issue #17); the server is the only place that decides, and a 403/409 it still returns
//! (e.g. the order changed meanwhile) is shown as is.
//!
//! Each form's fields are the endpoint's request fields (`api/src/routes/orders/*.rs`, which
//! refuse unknown fields), so a field added here must exist there.

use crate::dto::OrderDetail;
use nexus_core::model::OrderStatus;
use nexus_core::types::lenient_decimal;
use nexus_core::wire::AvailableStep;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::{Map, Value, json};

/// The kind of value a form field takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Number,
    /// Toggled with space; starts at the given value.
    Bool(bool),
    /// One number per order line, comma-separated, prefilled from the order (see
    /// [`Derived`] for what the numbers become in the body).
    PerLine,
    /// An order status by name (legacy names accepted, as the server accepts them).
    Status,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDef {
    /// The JSON field name the endpoint takes.
    pub name: &'static str,
    pub label: &'static str,
    pub kind: FieldKind,
    pub required: bool,
}

const fn field(
    name: &'static str,
    label: &'static str,
    kind: FieldKind,
    required: bool,
) -> FieldDef {
    FieldDef {
        name,
        label,
        kind,
        required,
    }
}

const fn text(name: &'static str, label: &'static str, required: bool) -> FieldDef {
    field(name, label, FieldKind::Text, required)
}

const fn number(name: &'static str, label: &'static str) -> FieldDef {
    field(name, label, FieldKind::Number, false)
}

const fn flag(name: &'static str, label: &'static str, on: bool) -> FieldDef {
    field(name, label, FieldKind::Bool(on), false)
}

const fn per_line(name: &'static str, label: &'static str) -> FieldDef {
    field(name, label, FieldKind::PerLine, true)
}

/// Body fields taken from the order rather than typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Derived {
    Nothing,
    /// `lines`: every line picked exactly as allocated (the full pack; a short pick is not
    /// offered here). `PackRequest` in routes/orders/warehouse.rs.
    PickAsAllocated,
    /// `items`: the order's lines with the new quantity typed per line, as
    /// `EditItemsRequest` (routes/orders/edit.rs) takes them: `{productId, quantity}` for a
    /// sales order, plus `batchNumber` and `proposedRate` (the line's rate) for a clearance
    /// order. The server re-prices them.
    EditItems,
    /// `deliveredQuantities`: the quantity accepted per line, prefilled with what each line
    /// carries; at least one must be lower, or it is a full delivery (`DeliverRequest` in
    /// routes/orders/delivery.rs).
    PartAccept,
}

/// How the console asks for one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepUi {
    /// The step code the server sends (`lifecycle::Action::code`).
    pub code: &'static str,
    pub label: &'static str,
    pub fields: &'static [FieldDef],
    pub derived: Derived,
}

const fn ui(code: &'static str, label: &'static str, fields: &'static [FieldDef]) -> StepUi {
    StepUi {
        code,
        label,
        fields,
        derived: Derived::Nothing,
    }
}

const QC_CHECKS: &[FieldDef] = &[
    flag("tempVerified", "Temperature verified", true),
    flag("packagingIntact", "Packaging intact", true),
    flag("weightVerified", "Weight verified", true),
    flag("labelClarity", "Labels clear", true),
    flag("invoiceDcAttached", "Invoice/DC attached", true),
    number("actualTemp", "Actual temperature °C"),
    text("remarks", "Remarks", false),
];

const DELIVERY: &[FieldDef] = &[
    text("otp", "OTP", true),
    text("receiverName", "Receiver", false),
    number("cashCollected", "Cash collected"),
    text("remarks", "Remarks", false),
];

/// A reason the rules require for the step.
const REASON: &[FieldDef] = &[text("reason", "Reason", true)];
/// A reason the step records when one is given.
const OPTIONAL_REASON: &[FieldDef] = &[text("reason", "Reason", false)];

/// Every step code the server may offer, with its form. A code missing here is still
/// offered (labelled with its code, no fields), so a newer server's step stays usable.
pub const UI: &[StepUi] = &[
    // An order over its limit (or of a cash-only account) is approved only with the
    // override, a reason and the credit_override permission; the server says which.
    ui(
        "credit_approve",
        "Approve credit",
        &[
            text("reason", "Reason", false),
            flag("override", "Override the credit check", false),
        ],
    ),
    ui("credit_hold", "Put on hold", REASON),
    ui("credit_reject", "Reject credit", REASON),
    ui("release_hold", "Release hold", &[]),
    // The rules refuse a cancel without a reason.
    ui("cancel", "Cancel order", REASON),
    StepUi {
        code: "edit_items",
        label: "Edit quantities",
        fields: &[per_line("items", "Quantities, one per line")],
        derived: Derived::EditItems,
    },
    ui(
        "assign_warehouse",
        "Assign warehouse",
        &[
            text("warehouseId", "Warehouse id", true),
            flag("allowPartial", "Allow partial", false),
        ],
    ),
    StepUi {
        code: "pack",
        label: "Pack as allocated",
        fields: &[],
        derived: Derived::PickAsAllocated,
    },
    ui(
        "send_back_to_wh",
        "Send back to WH selection",
        OPTIONAL_REASON,
    ),
    ui("qc_pass", "QC pass", QC_CHECKS),
    ui("qc_fail", "QC fail", &[text("remarks", "Remarks", true)]),
    ui(
        "logistics_cost",
        "Enter logistics cost",
        &[
            number("thermacolBoxCount", "Thermacol boxes"),
            number("thermacolRate", "Thermacol rate"),
            number("dryIceKg", "Dry ice kg"),
            number("dryIceRate", "Dry ice rate"),
            number("whToStationAmount", "WH → station"),
            number("stationToLocAmount", "Station → location"),
            number("whToCustAmount", "WH → customer"),
        ],
    ),
    ui("admin_review_approve", "Approve high cost", OPTIONAL_REASON),
    ui("admin_review_reject", "Reject high cost", REASON),
    ui(
        "invoice",
        "Invoice",
        &[
            text("invoiceNo", "Invoice number", true),
            text("invoiceDate", "Invoice date (YYYY-MM-DD)", false),
        ],
    ),
    ui(
        "dispatch",
        "Dispatch",
        &[
            text("deliveryAgentId", "Delivery agent id", true),
            text("vehicleNo", "Vehicle number", true),
            text("ewayBill", "E-way bill (12 digits)", true),
            text("sealNo", "Seal number", true),
            text("vehicleProvider", "Vehicle provider", false),
            text("vehicleType", "Vehicle type", false),
            number("distanceKm", "Distance km"),
        ],
    ),
    ui("out_for_delivery", "Out for delivery", &[]),
    ui("deliver", "Deliver", DELIVERY),
    StepUi {
        code: "part_accept",
        label: "Part accept",
        fields: &[
            per_line("deliveredQuantities", "Accepted, one per line"),
            text("otp", "OTP", true),
            text("receiverName", "Receiver", false),
            number("cashCollected", "Cash collected"),
            text("remarks", "Remarks", false),
        ],
        derived: Derived::PartAccept,
    },
    ui("return_to_warehouse", "Return to warehouse", REASON),
    ui(
        "reopen_backorder",
        "Re-attempt the undelivered rest",
        OPTIONAL_REASON,
    ),
    ui(
        "admin_bypass",
        "Bypass to status (admin)",
        &[
            FieldDef {
                name: "to",
                label: "Target status",
                kind: FieldKind::Status,
                required: true,
            },
            text("reason", "Reason", true),
        ],
    ),
];

/// The console's form for a step code, if it has one.
pub fn ui_of(code: &str) -> Option<&'static StepUi> {
    UI.iter().find(|u| u.code == code)
}

/// A step the server offers, with the console's form for it (`None`: a code this build
/// does not know, offered with its code as label and no fields).
#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    pub step: AvailableStep,
    pub ui: Option<&'static StepUi>,
}

impl Offer {
    pub fn label(&self) -> &str {
        self.ui.map_or(self.step.step.as_str(), |u| u.label)
    }

    pub fn fields(&self) -> &'static [FieldDef] {
        self.ui.map_or(&[], |u| u.fields)
    }

    pub fn derived(&self) -> Derived {
        self.ui.map_or(Derived::Nothing, |u| u.derived)
    }
}

/// The steps to offer on an order: exactly the server's `availableSteps`, in its order,
/// each with its form.
pub fn offered(steps: &[AvailableStep]) -> Vec<Offer> {
    steps
        .iter()
        .map(|s| Offer {
            step: s.clone(),
            ui: ui_of(&s.step),
        })
        .collect()
}

/// What a per-line field refers to: one order line.
#[derive(Debug, Clone, PartialEq)]
pub struct LineRef {
    pub product_id: String,
    /// The batch a clearance line draws from (sent back on an edit).
    pub batch_number: String,
    /// The line's rate ex-GST (a clearance edit's `proposedRate`).
    pub price: Decimal,
    /// The number the field starts with for this line.
    pub start: Decimal,
}

/// A form being filled in for a step: one text buffer per field.
#[derive(Debug, Clone, PartialEq)]
pub struct StepForm {
    pub order_id: String,
    pub offer: Offer,
    pub values: Vec<String>,
    pub focus: usize,
    pub error: Option<String>,
    /// Body fields filled from the order (see [`Derived`]).
    pub extra: Map<String, Value>,
    /// The order's lines, for a per-line field.
    pub lines: Vec<LineRef>,
    /// An edit of a clearance order (its lines keep their batch and rate).
    pub clearance: bool,
}

impl StepForm {
    pub fn new(order_id: &str, offer: Offer) -> StepForm {
        let values = offer
            .fields()
            .iter()
            .map(|f| match f.kind {
                FieldKind::Bool(on) => yes_no(on).to_string(),
                _ => String::new(),
            })
            .collect();
        StepForm {
            order_id: order_id.to_string(),
            offer,
            values,
            focus: 0,
            error: None,
            extra: Map::new(),
            lines: Vec::new(),
            clearance: false,
        }
    }

    /// A form for a step on a loaded order, with the fields the order decides filled in;
    /// an error naming what is missing when the step needs the order's lines and they are
    /// not loaded.
    pub fn for_order(
        detail: Option<&OrderDetail>,
        order_id: &str,
        offer: Offer,
    ) -> Result<StepForm, String> {
        let derived = offer.derived();
        let mut form = StepForm::new(order_id, offer);
        if derived == Derived::Nothing {
            return Ok(form);
        }
        let d = detail.filter(|d| d.row.id == order_id).ok_or_else(|| {
            format!(
                "Open {order_id} (Enter) first: {} uses its lines.",
                form.offer.label()
            )
        })?;
        if d.lines.is_empty() {
            return Err(format!("{order_id} has no lines."));
        }
        match derived {
            Derived::Nothing => {}
            Derived::PickAsAllocated => {
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
                            .map(|(b, q)| json!({ "batchNumber": b, "qty": num(*q) }))
                            .collect();
                        json!({ "batches": batches })
                    })
                    .collect();
                form.extra.insert("lines".into(), Value::Array(lines));
            }
            Derived::EditItems | Derived::PartAccept => {
                form.clearance = d.clearance;
                form.lines = d
                    .lines
                    .iter()
                    .map(|l| LineRef {
                        product_id: l.product_id.clone(),
                        batch_number: l.batch_number.clone(),
                        price: l.price,
                        start: if derived == Derived::EditItems {
                            l.quantity
                        } else {
                            l.carried(d.stock_reserved)
                        },
                    })
                    .collect();
                let start = form
                    .lines
                    .iter()
                    .map(|l| l.start.normalize().to_string())
                    .collect::<Vec<_>>()
                    .join(", ");
                for (f, v) in form.offer.fields().iter().zip(form.values.iter_mut()) {
                    if f.kind == FieldKind::PerLine {
                        *v = start.clone();
                    }
                }
            }
        }
        Ok(form)
    }

    /// The request body: the server's selecting fields, the derived ones and the typed ones;
    /// or a message naming the first field that is missing or malformed.
    pub fn body(&self) -> Result<Value, String> {
        let mut body = self.offer.step.body_fields();
        body.extend(self.extra.clone());
        for (f, raw) in self.offer.fields().iter().zip(&self.values) {
            let raw = raw.trim();
            if raw.is_empty() {
                if f.required {
                    return Err(format!("{} is required", f.label));
                }
                continue;
            }
            let value = match f.kind {
                FieldKind::Text => json!(raw),
                FieldKind::Number => num(decimal(raw)
                    .ok_or_else(|| format!("{} must be a number, not `{raw}`", f.label))?),
                FieldKind::Bool(_) => json!(raw == "yes"),
                FieldKind::Status => match OrderStatus::parse(raw) {
                    Some(s) => json!(s.as_str()),
                    None => return Err(format!("`{raw}` is not an order status")),
                },
                FieldKind::PerLine => self.per_line(f, raw)?,
            };
            body.insert(f.name.to_string(), value);
        }
        Ok(Value::Object(body))
    }

    /// A per-line field's value: one number per order line, turned into what the step's
    /// endpoint takes.
    fn per_line(&self, f: &FieldDef, raw: &str) -> Result<Value, String> {
        let given: Vec<&str> = raw.split(',').map(str::trim).collect();
        if given.len() != self.lines.len() {
            return Err(format!(
                "{}: give {} numbers, one per line (got {})",
                f.label,
                self.lines.len(),
                given.len()
            ));
        }
        let mut qty = Vec::with_capacity(given.len());
        for (i, g) in given.iter().enumerate() {
            let q = decimal(g)
                .filter(|q| !q.is_sign_negative())
                .ok_or_else(|| format!("Line {}: `{g}` is not a quantity", i + 1))?;
            qty.push(q);
        }
        let unchanged = qty.iter().zip(&self.lines).all(|(q, l)| *q == l.start);
        match self.offer.derived() {
            Derived::EditItems => {
                if let Some(i) = qty.iter().position(Decimal::is_zero) {
                    return Err(format!(
                        "Line {}: a quantity must be more than 0 (cancel the order to drop it all)",
                        i + 1
                    ));
                }
                if unchanged {
                    return Err("The quantities are unchanged: nothing to edit.".into());
                }
                let items = qty
                    .iter()
                    .zip(&self.lines)
                    .map(|(q, l)| {
                        if self.clearance {
                            json!({
                                "productId": l.product_id,
                                "batchNumber": l.batch_number,
                                "quantity": num(*q),
                                "proposedRate": num(l.price),
                            })
                        } else {
                            json!({ "productId": l.product_id, "quantity": num(*q) })
                        }
                    })
                    .collect();
                Ok(Value::Array(items))
            }
            Derived::PartAccept => {
                if let Some(i) = qty.iter().zip(&self.lines).position(|(q, l)| *q > l.start) {
                    return Err(format!(
                        "Line {}: only {} was carried",
                        i + 1,
                        self.lines[i].start.normalize()
                    ));
                }
                if unchanged {
                    return Err("Every line accepted in full: use Deliver.".into());
                }
                Ok(Value::Array(qty.into_iter().map(num).collect()))
            }
            Derived::Nothing | Derived::PickAsAllocated => {
                Ok(Value::Array(qty.into_iter().map(num).collect()))
            }
        }
    }

    /// Types into the focused field (space toggles a yes/no field).
    pub fn type_char(&mut self, c: char) {
        let Some(f) = self.offer.fields().get(self.focus) else {
            return;
        };
        let Some(v) = self.values.get_mut(self.focus) else {
            return;
        };
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
        if let Some(f) = self.offer.fields().get(self.focus)
            && !matches!(f.kind, FieldKind::Bool(_))
            && let Some(v) = self.values.get_mut(self.focus)
        {
            v.pop();
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

/// A typed number (`1,250.5` accepted, as the API accepts it).
fn decimal(raw: &str) -> Option<Decimal> {
    lenient_decimal(&Value::String(raw.to_string()))
}

/// A decimal as a JSON number: whole values as integers (`4`, not `4.0`), as the API writes
/// them.
fn num(d: Decimal) -> Value {
    let d = d.normalize();
    if d.scale() == 0
        && let Some(i) = d.to_i64()
    {
        return json!(i);
    }
    d.to_f64().map_or(Value::Null, |f| json!(f))
}

fn yes_no(on: bool) -> &'static str {
    if on { "yes" } else { "no" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::{OrderLine, OrderRow};

    fn step(code: &str, segment: &str, body: Value) -> AvailableStep {
        AvailableStep::new(code, None, "POST", "ORD-1", segment, body)
    }

    fn offer(code: &str, segment: &str, body: Value) -> Offer {
        offered(&[step(code, segment, body)]).remove(0)
    }

    fn type_text(f: &mut StepForm, text: &str) {
        for c in text.chars() {
            f.type_char(c);
        }
    }

    fn detail(lines: Vec<OrderLine>) -> OrderDetail {
        OrderDetail {
            row: OrderRow {
                id: "ORD-1".into(),
                ..OrderRow::default()
            },
            lines,
            ..OrderDetail::default()
        }
    }

    fn line(product: &str, qty: i64, price: i64) -> OrderLine {
        OrderLine {
            product_id: product.into(),
            quantity: Decimal::from(qty),
            price: Decimal::from(price),
            ..OrderLine::default()
        }
    }

    #[test]
    fn the_server_list_is_offered_as_is_in_its_order() {
        let steps = [
            step(
                "credit_reject",
                "credit-decision",
                json!({"decision": "reject"}),
            ),
            step("cancel", "cancel", json!({})),
            step("teleport", "teleport", json!({"mode": "fast"})),
        ];
        let offers = offered(&steps);
        let labels: Vec<&str> = offers.iter().map(Offer::label).collect();
        assert_eq!(labels, ["Reject credit", "Cancel order", "teleport"]);
        // An unknown code from a newer server: no fields, the server's body as is.
        let f = StepForm::new("ORD-1", offers[2].clone());
        assert!(f.values.is_empty());
        assert_eq!(f.body().unwrap(), json!({"mode": "fast"}));
        assert!(offered(&[]).is_empty());
    }

    #[test]
    fn every_ui_code_is_distinct_and_named() {
        for (i, u) in UI.iter().enumerate() {
            assert!(UI[..i].iter().all(|o| o.code != u.code), "{}", u.code);
            assert!(!u.label.is_empty());
        }
    }

    #[test]
    fn the_pack_picks_every_line_as_allocated() {
        let pack = offer("pack", "pack", json!({}));
        assert_eq!(
            StepForm::for_order(None, "ORD-1", pack.clone()).unwrap_err(),
            "Open ORD-1 (Enter) first: Pack as allocated uses its lines."
        );
        let d = detail(vec![
            OrderLine {
                allocated: vec![
                    ("B1".into(), Decimal::from(4)),
                    ("B2".into(), Decimal::new(65, 1)),
                ],
                ..OrderLine::default()
            },
            OrderLine {
                allocated: vec![("B3".into(), Decimal::from(2))],
                ..OrderLine::default()
            },
        ]);
        let body = StepForm::for_order(Some(&d), "ORD-1", pack)
            .unwrap()
            .body()
            .unwrap();
        assert_eq!(
            body,
            json!({"lines": [
                {"batches": [{"batchNumber": "B1", "qty": 4}, {"batchNumber": "B2", "qty": 6.5}]},
                {"batches": [{"batchNumber": "B3", "qty": 2}]}
            ]})
        );
    }

    #[test]
    fn the_form_merges_the_server_body_and_names_what_is_missing() {
        let mut f = StepForm::new(
            "ORD-1",
            offer(
                "credit_hold",
                "credit-decision",
                json!({"decision": "hold"}),
            ),
        );
        assert_eq!(f.body(), Err("Reason is required".into()));
        type_text(&mut f, "late payer");
        assert_eq!(
            f.body().unwrap(),
            json!({"decision": "hold", "reason": "late payer"})
        );

        let mut f = StepForm::new(
            "ORD-1",
            offer("logistics_cost", "logistics-cost", json!({})),
        );
        f.type_char('x');
        assert_eq!(
            f.body(),
            Err("Thermacol boxes must be a number, not `x`".into())
        );
        f.backspace();
        type_text(&mut f, "1,250.5");
        assert_eq!(f.body().unwrap()["thermacolBoxCount"], json!(1250.5));

        let mut f = StepForm::new("ORD-1", offer("qc_pass", "qc", json!({"passed": true})));
        f.type_char(' ');
        let body = f.body().unwrap();
        assert_eq!(body["passed"], true);
        assert_eq!(body["tempVerified"], false);
        assert_eq!(body["packagingIntact"], true);

        let mut f = StepForm::new("ORD-1", offer("admin_bypass", "bypass", json!({})));
        type_text(&mut f, "Teleported");
        f.next();
        type_text(&mut f, "fix");
        assert_eq!(f.body(), Err("`Teleported` is not an order status".into()));
        f.prev();
        f.values[0] = "invoiced".into();
        assert_eq!(
            f.body().unwrap(),
            json!({"to": OrderStatus::ReadyForDispatch.as_str(), "reason": "fix"})
        );
    }

    #[test]
    fn an_edit_asks_a_quantity_per_line_and_sends_the_items() {
        let edit = offer("edit_items", "items", json!({}));
        let d = detail(vec![line("P1", 10, 450), line("P2", 5, 100)]);
        let mut f = StepForm::for_order(Some(&d), "ORD-1", edit.clone()).unwrap();
        assert_eq!(f.values, ["10, 5"]);
        assert_eq!(
            f.body(),
            Err("The quantities are unchanged: nothing to edit.".into())
        );
        f.values[0] = "10".into();
        assert_eq!(
            f.body(),
            Err("Quantities, one per line: give 2 numbers, one per line (got 1)".into())
        );
        f.values[0] = "10, 0".into();
        assert!(
            f.body()
                .unwrap_err()
                .starts_with("Line 2: a quantity must be more than 0")
        );
        f.values[0] = "12, 2.5".into();
        assert_eq!(
            f.body().unwrap(),
            json!({"items": [
                {"productId": "P1", "quantity": 12},
                {"productId": "P2", "quantity": 2.5}
            ]})
        );

        // A clearance order keeps each line's batch and rate.
        let mut d = detail(vec![OrderLine {
            batch_number: "B7".into(),
            ..line("P3", 3, 250)
        }]);
        d.clearance = true;
        let mut f = StepForm::for_order(Some(&d), "ORD-1", edit).unwrap();
        f.values[0] = "2".into();
        assert_eq!(
            f.body().unwrap(),
            json!({"items": [
                {"productId": "P3", "batchNumber": "B7", "quantity": 2, "proposedRate": 250}
            ]})
        );
    }

    #[test]
    fn a_part_accept_sends_the_accepted_quantities_and_needs_one_lower() {
        let pa = offer("part_accept", "deliver", json!({}));
        let mut d = detail(vec![
            OrderLine {
                allocated: vec![("B1".into(), Decimal::from(8))],
                ..line("P1", 10, 1)
            },
            line("P2", 5, 1),
        ]);
        d.stock_reserved = true;
        let mut f = StepForm::for_order(Some(&d), "ORD-1", pa).unwrap();
        assert_eq!(f.values[0], "8, 5");
        f.next();
        type_text(&mut f, "123456");
        assert_eq!(
            f.body(),
            Err("Every line accepted in full: use Deliver.".into())
        );
        f.values[0] = "9, 5".into();
        assert_eq!(f.body(), Err("Line 1: only 8 was carried".into()));
        f.values[0] = "8, 2".into();
        assert_eq!(
            f.body().unwrap(),
            json!({"deliveredQuantities": [8, 2], "otp": "123456"})
        );
    }
}
