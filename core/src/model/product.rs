//! `products`: the material master with its batches (domain.md §1.3). The batches are the
//! one stock store of the rewrite (fixing D-L1): FEFO allocation, clearance draw-down and
//! restores all act on them, each batch optionally tagged with the warehouse that holds it.

use crate::types::{
    DateOnly, Money, Percent, Quantity, Timestamp, default_true, null_as_default, true_unless_false,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Batch {
    #[serde(default)]
    pub batch_id: String,
    pub batch_number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfg_date: Option<DateOnly>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp_date: Option<DateOnly>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub quantity: Quantity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<String>,
    #[serde(default = "default_true", deserialize_with = "true_unless_false")]
    pub is_active: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warehouse_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
}

impl Batch {
    pub fn new(
        batch_number: impl Into<String>,
        quantity: Quantity,
        exp_date: Option<DateOnly>,
    ) -> Self {
        let batch_number = batch_number.into();
        Batch {
            batch_id: batch_number.clone(),
            batch_number,
            mfg_date: None,
            exp_date,
            quantity,
            weight: None,
            is_active: true,
            warehouse_id: None,
            created_at: Some(Timestamp::now()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Product {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku_code: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_short_name: Option<String>,
    /// Written by the legacy bulk import next to `productShortName` (an alias, D-D2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution_channel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specie: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_packing: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_weight: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_packing: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mrp: Option<Money>,
    /// Default selling price (the booking base rate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_rate: Option<Money>,
    /// GST rate in percent. The legacy system stored it and then charged a flat 18 % (D-L7);
    /// the rewrite prices every line with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gst: Option<Percent>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hsn_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_of_origin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shelf_life_days: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yc70: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_charges: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Derived: Σ active batch quantities, recomputed on every stock move (§2.1).
    #[serde(default, deserialize_with = "null_as_default")]
    pub stock: Quantity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barcode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub batches: Vec<Batch>,
    /// Soft delete: products referenced by orders are never hard-deleted (8.2.29).
    #[serde(default = "default_true", deserialize_with = "true_unless_false")]
    pub is_active: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// Optimistic-concurrency revision: batch changes are written only if nobody else
    /// changed the product since it was read (fixes the read-modify-write race D-R3).
    #[serde(rename = "_rev", default, deserialize_with = "null_as_default")]
    pub rev: u64,
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub extra: Map<String, Value>,
}

impl Product {
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        let id = id.into();
        let now = Timestamp::now();
        Product {
            sku_code: Some(id.clone()),
            id,
            name: name.into(),
            product_short_name: None,
            short_name: None,
            distribution_channel: None,
            specie: None,
            weight_packing: None,
            product_weight: None,
            product_packing: None,
            mrp: None,
            price: None,
            base_rate: None,
            gst: None,
            hsn_code: None,
            country_of_origin: None,
            shelf_life_days: None,
            remarks: None,
            yc70: None,
            processing_charges: None,
            category: None,
            unit: None,
            stock: Quantity::ZERO,
            barcode: None,
            image_url: None,
            batches: Vec::new(),
            is_active: true,
            created_at: Some(now),
            updated_at: Some(now),
            rev: 0,
            extra: Map::new(),
        }
    }

    /// The booking base rate: `price` if positive, else `baseRate`, else `mrp`, else 0
    /// (the Flutter client's rule, §2.6, with the older `baseRate` alias honoured).
    pub fn base_rate(&self) -> Money {
        [self.price, self.base_rate, self.mrp]
            .into_iter()
            .flatten()
            .find(|m| m.is_positive())
            .unwrap_or(Money::ZERO)
    }

    /// The SKU used for stock and last-rate lookups: `skuCode`, else the product id.
    pub fn sku(&self) -> &str {
        self.sku_code
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or(&self.id)
    }
}
