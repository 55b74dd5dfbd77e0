//! Material master import (api.md §5.4.1): 16 columns, upsert by ProductCode.
//!
//! Decisions, with the fixture facts behind them (fixtures README, `backend_seed.xlsx`):
//! * ProductCode is the key and stays text (7-digit codes). `NA` (the seed's `WASTAGE`
//!   row), `N/A` or `-` is not a code: the row is rejected — a missing key is an error,
//!   never a generated id (edge case 17; the legacy `PROD-<ms>-<row>` ids duplicated on
//!   every re-upload).
//! * GST `5%`, `5.00%`, `5` and a percent cell all mean 5; above 40 % (the highest GST slab)
//!   is refused.
//! * HSN stays text. Seven digits are a chapter 02–09 code that lost its leading zero in
//!   Excel (`3048100` → `03048100`): the zero is restored and counted in the summary's
//!   `notes.hsnPadded`. Other lengths than 4, 6, 7 or 8 digits are refused.
//! * MRP blank (or a single space) → no MRP; `0` stays 0 — loose items are sold by weight.
//! * Weight stays text as displayed (`  0.200 ` → `0.200`, ` - ` → `0`).
//! * REMARKS `Discontinued` / `Discontinue` → the product is inactive; any other remark keeps
//!   it active. The file is the material master, so it also revives a product it lists
//!   without that remark.
//! * Names keep their words; non-breaking spaces become plain spaces (`cells::clean`).
//! * Optional extra columns, read only when present: Price / Base Rate, Category.
//! * Batches, stock, barcode, image and everything else not in the file are never touched.

use super::ImportContext;
use super::cells::{self, CellIssue};
use super::masters::{Field, MasterRow, Notes, any_of, field, non_negative_money, required, set};
use super::sheet::{Column, Layout, Row};
use calamine::Data;
use nexus_core::model::{EntityType, Product};
use nexus_core::store::Filter;
use nexus_core::types::{Money, Percent};
use rust_decimal::Decimal;
use serde_json::Value;

/// The highest GST slab (2025 schedule); anything above is a typing error.
const MAX_GST: i64 = 40;

const COLUMNS: &[Column] = &[
    Column::required(
        "code",
        "ProductCode",
        &["Product Code", "SKU Code", "SKU", "Material Code"],
    ),
    Column::required(
        "name",
        "Product Name",
        &["ProductName", "Material Description"],
    ),
    Column::optional(
        "shortName",
        "ProductShortName",
        &["Product Short Name", "Short Name"],
    ),
    Column::optional(
        "channel",
        "DistributionChannel",
        &["Distribution Channel", "Channel"],
    ),
    Column::optional("specie", "Specie", &["Species"]),
    Column::optional("weightPacking", "Weight Packing", &["Wt Packing"]),
    Column::optional("weight", "Weight", &["Product Weight"]),
    Column::optional("packing", "Packing", &["Pack", "Product Packing"]),
    Column::optional("mrp", "MRP", &[]),
    Column::optional("gst", "GST%", &["GST", "GST %", "GST Rate"]),
    Column::optional("hsn", "HSNCODE", &["HSN", "HSN Code"]),
    Column::optional("origin", "COUNTRY OF ORIGIN", &["Origin", "Country"]),
    Column::optional(
        "shelfLife",
        "Shelf Life in days",
        &["Shelf Life", "Shelf Life Days"],
    ),
    Column::optional("remarks", "REMARKS", &["Remark"]),
    Column::optional("yc70", "YC70", &[]),
    Column::optional("processing", "Processing charges", &["Processing Charge"]),
    Column::optional("price", "Price", &["Base Rate", "Rate"]),
    Column::optional("category", "Category", &["Cat"]),
];

/// One material master row, parsed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ProductRow {
    code: String,
    name: String,
    short_name: Field<String>,
    channel: Field<String>,
    specie: Field<String>,
    weight_packing: Field<String>,
    weight: Field<String>,
    packing: Field<String>,
    mrp: Field<Money>,
    gst: Field<Percent>,
    hsn: Field<String>,
    origin: Field<String>,
    shelf_life: Field<i64>,
    remarks: Field<String>,
    yc70: Field<Money>,
    processing: Field<Money>,
    price: Field<Money>,
    category: Field<String>,
}

/// Text that only stands for "no code".
fn is_placeholder(code: &str) -> bool {
    matches!(
        code.to_ascii_uppercase().as_str(),
        "NA" | "N/A" | "-" | "NIL" | "NONE" | "NULL"
    )
}

fn gst(cell: &Data) -> Result<Option<Percent>, CellIssue> {
    match cells::percent(cell)? {
        Some(p) if p > Decimal::from(MAX_GST) => Err(CellIssue(format!(
            "{p} % is above the highest GST rate ({MAX_GST} %)"
        ))),
        Some(p) => Percent::new(p)
            .map(Some)
            .map_err(|e| CellIssue(e.to_string())),
        None => Ok(None),
    }
}

/// HSN as text; a 7-digit code gets its lost leading zero back.
fn hsn(cell: &Data, notes: &mut Notes) -> Result<Option<String>, CellIssue> {
    let Some(code) = cells::code(cell)? else {
        return Ok(None);
    };
    if !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(CellIssue(format!(
            "`{code}` is not an HSN code (digits only)"
        )));
    }
    match code.len() {
        4 | 6 | 8 => Ok(Some(code)),
        7 => {
            *notes.entry("hsnPadded").or_default() += 1;
            Ok(Some(format!("0{code}")))
        }
        n => Err(CellIssue(format!(
            "`{code}` has {n} digits; an HSN code has 4, 6 or 8"
        ))),
    }
}

/// Weight as displayed; the accounting dash is zero.
fn weight(cell: &Data) -> Result<Option<String>, CellIssue> {
    Ok(cells::text(cell)?.map(|w| if w == "-" { "0".to_string() } else { w }))
}

fn shelf_life(cell: &Data) -> Result<Option<i64>, CellIssue> {
    match cells::whole_number(cell)? {
        Some(d) if d < 0 => Err(CellIssue(format!("{d} days is negative"))),
        other => Ok(other),
    }
}

fn is_discontinued(remarks: &str) -> bool {
    let r = remarks.to_ascii_lowercase();
    r.starts_with("discontinue")
}

impl MasterRow for ProductRow {
    type Doc = Product;
    const LAYOUT: Layout = Layout {
        what: "material master",
        sheet_names: &["SKU Master", "Material Master", "Material Master Template"],
        columns: COLUMNS,
    };
    const ENTITY: EntityType = EntityType::Product;
    const KEY_TITLE: &'static str = "ProductCode";

    fn parse(row: &Row<'_>, notes: &mut Notes) -> Result<Self, String> {
        let l = &Self::LAYOUT;
        let code = required(row, l, "code", cells::code)?;
        if is_placeholder(&code) {
            return Err(format!(
                "ProductCode `{code}` is a placeholder, not a product code; give the row its \
                 ERP material code"
            ));
        }
        let hsn = if row.has("hsn") {
            Some(hsn(row.get("hsn"), notes).map_err(|e| format!("HSNCODE: {e}"))?)
        } else {
            None
        };
        Ok(ProductRow {
            name: required(row, l, "name", cells::text)?,
            short_name: field(row, l, "shortName", cells::text)?,
            channel: field(row, l, "channel", cells::text)?,
            specie: field(row, l, "specie", cells::text)?,
            weight_packing: field(row, l, "weightPacking", cells::text)?,
            weight: field(row, l, "weight", weight)?,
            packing: field(row, l, "packing", cells::text)?,
            mrp: field(row, l, "mrp", non_negative_money)?,
            gst: field(row, l, "gst", gst)?,
            hsn,
            origin: field(row, l, "origin", cells::text)?,
            shelf_life: field(row, l, "shelfLife", shelf_life)?,
            remarks: field(row, l, "remarks", cells::text)?,
            yc70: field(row, l, "yc70", non_negative_money)?,
            processing: field(row, l, "processing", non_negative_money)?,
            price: field(row, l, "price", non_negative_money)?,
            category: field(row, l, "category", cells::text)?,
            code,
        })
    }

    fn key(&self) -> String {
        self.code.clone()
    }

    fn raw_key(row: &Row<'_>) -> Option<String> {
        cells::code(row.get("code")).ok().flatten()
    }

    fn lookup(keys: Vec<Value>) -> Filter {
        Filter::or([any_of("id", keys.clone()), any_of("skuCode", keys)])
    }

    fn keys_of(doc: &Product) -> Vec<String> {
        // The SKU first: a product whose id differs from its code is found by its code.
        let mut keys = Vec::with_capacity(2);
        if let Some(s) = doc.sku_code.as_deref().filter(|s| !s.trim().is_empty()) {
            keys.push(s.to_string());
        }
        keys.push(doc.id.clone());
        keys
    }

    fn create(&self, ctx: &ImportContext<'_>) -> Product {
        let mut p = Product::new(self.code.clone(), self.name.clone());
        p.created_at = Some(ctx.now);
        p.updated_at = Some(ctx.now);
        self.apply(&mut p);
        p
    }

    fn apply(&self, p: &mut Product) {
        p.sku_code = Some(self.code.clone());
        p.name = self.name.clone();
        set(&mut p.product_short_name, &self.short_name);
        // The legacy import wrote the short name under both names; old readers use either.
        set(&mut p.short_name, &self.short_name);
        set(&mut p.distribution_channel, &self.channel);
        set(&mut p.specie, &self.specie);
        set(&mut p.weight_packing, &self.weight_packing);
        set(&mut p.product_weight, &self.weight);
        set(&mut p.product_packing, &self.packing);
        set(&mut p.mrp, &self.mrp);
        set(&mut p.gst, &self.gst);
        set(&mut p.hsn_code, &self.hsn);
        set(&mut p.country_of_origin, &self.origin);
        set(&mut p.shelf_life_days, &self.shelf_life);
        set(&mut p.remarks, &self.remarks);
        set(&mut p.yc70, &self.yc70);
        set(&mut p.processing_charges, &self.processing);
        set(&mut p.price, &self.price);
        set(&mut p.category, &self.category);
        if let Some(remarks) = &self.remarks {
            p.is_active = !remarks.as_deref().is_some_and(is_discontinued);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hsn_codes_keep_text_and_get_their_zero_back() {
        let mut notes = Notes::new();
        let s = |v: &str| Data::String(v.into());
        assert_eq!(
            hsn(&s("3048100"), &mut notes).unwrap().as_deref(),
            Some("03048100")
        );
        assert_eq!(
            hsn(&s("16042000"), &mut notes).unwrap().as_deref(),
            Some("16042000")
        );
        assert_eq!(
            hsn(&Data::Float(3048100.0), &mut notes).unwrap().as_deref(),
            Some("03048100")
        );
        assert_eq!(notes.get("hsnPadded"), Some(&2));
        assert!(hsn(&s("12345"), &mut notes).is_err());
        assert!(hsn(&s("0304-81"), &mut notes).is_err());
        assert_eq!(hsn(&s(" "), &mut notes).unwrap(), None);
    }

    #[test]
    fn placeholders_and_discontinued_spellings() {
        assert!(is_placeholder("NA") && is_placeholder("n/a") && !is_placeholder("2004643"));
        assert!(is_discontinued("Discontinued") && is_discontinued("Discontinue"));
        assert!(!is_discontinued("Keep frozen"));
        assert_eq!(
            weight(&Data::String(" - ".into())).unwrap().as_deref(),
            Some("0")
        );
        assert_eq!(
            weight(&Data::String("  0.200 ".into())).unwrap().as_deref(),
            Some("0.200")
        );
        assert!(gst(&Data::String("5.00%".into())).unwrap() == Percent::new(Decimal::from(5)).ok());
        assert!(gst(&Data::String("50%".into())).is_err());
    }
}
