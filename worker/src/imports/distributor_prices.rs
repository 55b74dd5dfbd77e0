//! Distributor price import (api.md §5.4.2): 11 columns, one entry per distributor and
//! material, id `<Code>-<Material>`.
//!
//! Decisions:
//! * The two product columns are named against their content (fixtures README): `Material`
//!   holds the SKU code (→ `code`), `Material Number` the description (→ `name`).
//! * The distributor code is required: the legacy `UNK-<sku>` id merged every code-less
//!   row of every distributor into one entry.
//! * Percentages bare (`5`), with `%` (`34%`) or percent-formatted cells (0.34) all mean
//!   points; a blank margin is 0 and a blank GST is the model's default 5 %.
//! * `Billing Rate` is data, never derived (pricing.rs; the sample matches no formula).
//! * An imported entry is active: the price list file is the list in force, so it revives an
//!   entry someone had soft-deleted, as the legacy import did.

use super::ImportContext;
use super::cells::{self, CellIssue};
use super::masters::{MasterRow, Notes, any_of, field, non_negative_money, required};
use super::sheet::{Column, Layout, Row};
use calamine::Data;
use nexus_core::model::{DistributorPrice, EntityType};
use nexus_core::store::Filter;
use nexus_core::types::{Money, Percent};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

const COLUMNS: &[Column] = &[
    Column::required("distributor", "Code", &["Distributor Code", "Dist Code"]),
    Column::optional(
        "distributorName",
        "Name",
        &["Distributor Name", "Dist Name"],
    ),
    Column::required("sku", "Material", &["Material Code", "SKU Code", "SKU"]),
    Column::required(
        "description",
        "Material Number",
        &["Material Description", "Description"],
    ),
    Column::optional("mrp", "MRP", &[]),
    Column::optional("inKg", "in Kg", &["Kg", "Pack Size"]),
    Column::optional("gst", "% GST", &["GST", "GST %"]),
    Column::optional(
        "retailerMargin",
        "Retailer Margin On MRP",
        &["Retailer Margin"],
    ),
    Column::optional("marginOnCost", "Dist Margin On Cost", &[]),
    Column::optional("marginOnMrp", "Dist Margin On MRP", &[]),
    Column::optional("billingRate", "Billing Rate", &["Billing Price"]),
];

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PriceRow {
    distributor: String,
    distributor_name: Option<String>,
    sku: String,
    description: String,
    mrp: Money,
    in_kg: Option<String>,
    gst: Option<Percent>,
    retailer_margin: Percent,
    margin_on_cost: Percent,
    margin_on_mrp: Percent,
    billing_rate: Money,
}

fn percent(cell: &Data) -> Result<Option<Percent>, CellIssue> {
    cells::percent(cell)?
        .map(|p| Percent::new(p).map_err(|e| CellIssue(e.to_string())))
        .transpose()
}

impl MasterRow for PriceRow {
    type Doc = DistributorPrice;
    const LAYOUT: Layout = Layout {
        what: "distributor price list",
        sheet_names: &["Distributor Prices", "Distributor Price Template"],
        columns: COLUMNS,
    };
    const ENTITY: EntityType = EntityType::PriceList;
    const KEY_TITLE: &'static str = "Code-Material";

    fn parse(row: &Row<'_>, _notes: &mut Notes) -> Result<Self, String> {
        let l = &Self::LAYOUT;
        let pct = |key| -> Result<Percent, String> {
            Ok(field(row, l, key, percent)?.flatten().unwrap_or_default())
        };
        Ok(PriceRow {
            distributor: required(row, l, "distributor", cells::code)?,
            distributor_name: field(row, l, "distributorName", cells::text)?.flatten(),
            sku: required(row, l, "sku", cells::code)?,
            description: required(row, l, "description", cells::text)?,
            mrp: field(row, l, "mrp", non_negative_money)?
                .flatten()
                .unwrap_or(Money::ZERO),
            in_kg: field(row, l, "inKg", cells::text)?.flatten(),
            gst: field(row, l, "gst", percent)?.flatten(),
            retailer_margin: pct("retailerMargin")?,
            margin_on_cost: pct("marginOnCost")?,
            margin_on_mrp: pct("marginOnMrp")?,
            billing_rate: field(row, l, "billingRate", non_negative_money)?
                .flatten()
                .unwrap_or(Money::ZERO),
        })
    }

    fn key(&self) -> String {
        format!("{}-{}", self.distributor, self.sku)
    }

    fn raw_key(row: &Row<'_>) -> Option<String> {
        let part = |k| cells::code(row.get(k)).ok().flatten();
        Some(format!("{}-{}", part("distributor")?, part("sku")?))
    }

    fn lookup(keys: Vec<Value>) -> Filter {
        any_of("id", keys)
    }

    fn keys_of(doc: &DistributorPrice) -> Vec<String> {
        vec![doc.id.clone()]
    }

    fn create(&self, ctx: &ImportContext<'_>) -> DistributorPrice {
        let mut d = DistributorPrice {
            id: self.key(),
            distributor_code: None,
            distributor_name: None,
            code: String::new(),
            name: String::new(),
            material_number: None,
            in_kg: None,
            mrp: Money::ZERO,
            gst_pct: Percent::ZERO,
            retailer_margin_on_mrp: Percent::ZERO,
            dist_margin_on_cost: Percent::ZERO,
            dist_margin_on_mrp: Percent::ZERO,
            billing_rate: Money::ZERO,
            category: None,
            is_active: true,
            created_at: Some(ctx.now),
            updated_at: Some(ctx.now),
            extra: Map::new(),
        };
        self.apply(&mut d);
        d
    }

    fn apply(&self, d: &mut DistributorPrice) {
        d.distributor_code = Some(self.distributor.clone());
        if self.distributor_name.is_some() {
            d.distributor_name = self.distributor_name.clone();
        }
        d.code = self.sku.clone();
        d.name = self.description.clone();
        d.in_kg = self.in_kg.clone();
        d.mrp = self.mrp;
        d.gst_pct = self
            .gst
            .unwrap_or_else(|| Percent::new(Decimal::from(5)).unwrap_or_default());
        d.retailer_margin_on_mrp = self.retailer_margin;
        d.dist_margin_on_cost = self.margin_on_cost;
        d.dist_margin_on_mrp = self.margin_on_mrp;
        d.billing_rate = self.billing_rate;
        d.is_active = true;
    }
}
