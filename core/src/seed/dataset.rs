//! The demo dataset as typed model values.
//!
//! The legacy seed's figures are kept exactly (seed-tasks.md TASK 7: Rajesh Kumar, ABC
//! Traders 15,000 / 5,000 / 45 days / 50,000, the basmati batches, the Feb'26 KRAs, the two
//! packaging materials); the rest fills the gaps the legacy seed left: one user for every
//! role with a Sales → ASM → RSM → NSM reporting line, the admin `USER-001` that the curl
//! checks log in as, warehouses with stable ids, and orders at each stage of the lifecycle.
//!
//! Dates that matter for "expiring soon" are computed from the run's clock, so a seed made
//! today still shows expiring batches in 90 days' time.

use super::compute;
use crate::auth::{Permission, Role, role_defaults};
use crate::model::{
    AgingBuckets, AllocatedBatch, Batch, CreditDecision, Customer, DeliveryDetails, InvoiceDetails,
    Kra, KraType, LedgerType, Logistics, OdBalances, Order, OrderItem, OrderStatus,
    PackagingCategory, PackagingMaterial, PackagingUnit, PerformanceRecord, Product, QcDetails,
    StatusChange, StockLedgerEntry, Temperature, User, Warehouse, Zone,
};
use crate::rules::booking;
use crate::rules::logistics_cost::AncillaryCostInput;
use crate::types::{DateOnly, Money, Percent, PmsMonth, Quantity, Timestamp};
use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use serde_json::Map;

/// A demo account with the password it is published with.
#[derive(Debug, Clone)]
pub struct DemoUser {
    pub user: User,
    pub password: &'static str,
}

/// Everything the demo seed writes, in the order it writes it.
#[derive(Debug, Clone)]
pub struct DemoDataset {
    pub warehouses: Vec<Warehouse>,
    pub users: Vec<DemoUser>,
    pub customers: Vec<Customer>,
    pub products: Vec<Product>,
    pub packaging: Vec<PackagingMaterial>,
    pub performance: Vec<PerformanceRecord>,
    pub orders: Vec<Order>,
    pub ledger: Vec<StockLedgerEntry>,
    /// A queued on-demand expiry scan by the admin: the first worker to start runs it, so a
    /// fresh install shows a real job (and its alerts) in the console.
    pub jobs: Vec<crate::model::JobRecord>,
}

impl DemoDataset {
    /// Number of documents (excluding the audit entries written with them).
    pub fn len(&self) -> usize {
        self.warehouses.len()
            + self.users.len()
            + self.customers.len()
            + self.products.len()
            + self.packaging.len()
            + self.performance.len()
            + self.orders.len()
            + self.ledger.len()
            + self.jobs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The state the company invoices from when an order has no warehouse yet (the head office
/// and the main cold store are in Mumbai).
pub const HOME_STATE: &str = "Maharashtra";

/// Builds the dataset for a run at `now`.
pub fn demo_dataset(now: Timestamp) -> DemoDataset {
    let today = now.date();
    let products = products(today, now);
    let warehouses = warehouses(&products, now);
    let users = users(now);
    let customers = customers(now);
    let (orders, ledger) = orders_and_ledger(&products, &warehouses, &customers, &users, now);
    DemoDataset {
        warehouses,
        users,
        customers,
        products,
        packaging: packaging(now),
        performance: performance(now),
        orders,
        ledger,
        jobs: demo_jobs(now),
    }
}

/// The id of the demo job (see [`DemoDataset::jobs`]).
pub const DEMO_JOB_ID: &str = "JOB-DEMO-001";

fn demo_jobs(now: Timestamp) -> Vec<crate::model::JobRecord> {
    vec![crate::model::JobRecord::queued(
        DEMO_JOB_ID,
        crate::model::JobKind::ExpiryScan,
        "USER-001",
        Some(serde_json::json!({ "trigger": "demo data" })),
        3,
        now,
    )]
}

fn money(r: i64) -> Money {
    Money::from_rupees(r)
}

fn qty(n: u64) -> Quantity {
    Quantity::from_int(n)
}

fn pct(p: i64) -> Percent {
    // Every literal below is between 0 and 100.
    Percent::new(Decimal::from(p)).unwrap_or(Percent::ZERO)
}

fn date(y: i32, m: u32, d: u32) -> DateOnly {
    DateOnly::ymd(y, m, d).unwrap_or_else(|| DateOnly::new(NaiveDate::MIN))
}

fn days_from(today: NaiveDate, n: i64) -> DateOnly {
    DateOnly::new(today + Duration::days(n))
}

fn at(now: Timestamp, days_ago: i64, hours: i64) -> Timestamp {
    Timestamp::from_datetime(now.datetime() - Duration::days(days_ago) + Duration::hours(hours))
}

// ---------------------------------------------------------------------------------------
// Users

/// `(id, name, email, role, manager, password, zone, salary)`
type UserRow = (
    &'static str,
    &'static str,
    &'static str,
    Role,
    Option<&'static str>,
    &'static str,
    Zone,
    i64,
);

/// The demo accounts: the legacy seed's three, the admin of the curl checks, and one for
/// each remaining role. Passwords follow the legacy seed's `<role>123` pattern (role name
/// in lower case without spaces: `qchead123`); they are published, every one of them is a
/// known default (`auth::is_default_password`), hence `mustChangePassword`.
#[rustfmt::skip]
const USERS: &[UserRow] = &[
    ("USER-001", "System Administrator", "admin@nexusoms.com", Role::Admin, None, "admin123", Zone::PanIndia, 150_000),
    ("NSM-001", "Vikram Mehta", "vikram.mehta@nexusoms.com", Role::Nsm, None, "nsm123", Zone::PanIndia, 140_000),
    ("RSM-001", "Sunita Rao", "sunita.rao@nexusoms.com", Role::Rsm, Some("NSM-001"), "rsm123", Zone::West, 110_000),
    ("ASM-001", "Karan Singh", "karan.singh@nexusoms.com", Role::Asm, Some("RSM-001"), "asm123", Zone::West, 80_000),
    ("SALES-001", "Rajesh Kumar", "rajesh@nexusoms.com", Role::Sales, Some("ASM-001"), "sales123", Zone::West, 50_000),
    ("SALES-002", "Priya Sharma", "priya@nexusoms.com", Role::Sales, Some("ASM-001"), "sales123", Zone::West, 48_000),
    ("SEXEC-001", "Neha Joshi", "neha.joshi@nexusoms.com", Role::SalesExecutive, Some("ASM-001"), "salesexecutive123", Zone::West, 32_000),
    ("CREDIT-001", "Amit Patel", "amit@nexusoms.com", Role::CreditControl, None, "credit123", Zone::PanIndia, 70_000),
    ("WHM-001", "Suresh Nair", "suresh.nair@nexusoms.com", Role::WhManager, None, "whmanager123", Zone::West, 60_000),
    ("WHH-001", "Ganesh Patil", "ganesh.patil@nexusoms.com", Role::WhHouse, Some("WHM-001"), "whhouse123", Zone::West, 28_000),
    ("WH-001", "Ravi Yadav", "ravi.yadav@nexusoms.com", Role::Warehouse, Some("WHM-001"), "warehouse123", Zone::West, 30_000),
    ("QC-001", "Meera Iyer", "meera.iyer@nexusoms.com", Role::QcHead, None, "qchead123", Zone::PanIndia, 65_000),
    ("LOG-001", "Arjun Reddy", "arjun.reddy@nexusoms.com", Role::LogisticsLead, None, "logisticslead123", Zone::PanIndia, 62_000),
    ("LOGT-001", "Farhan Sheikh", "farhan.sheikh@nexusoms.com", Role::LogisticsTeam, Some("LOG-001"), "logisticsteam123", Zone::West, 30_000),
    ("BILL-001", "Kavita Desai", "kavita.desai@nexusoms.com", Role::Billing, None, "billing123", Zone::PanIndia, 40_000),
    ("ATL-001", "Rohit Gupta", "rohit.gupta@nexusoms.com", Role::AtlExecutive, Some("BILL-001"), "atlexecutive123", Zone::PanIndia, 30_000),
    ("HUB-001", "Deepak Verma", "deepak.verma@nexusoms.com", Role::HubLead, Some("LOG-001"), "hublead123", Zone::West, 45_000),
    ("DRV-001", "Manoj Tiwari", "manoj.tiwari@nexusoms.com", Role::DeliveryTeam, Some("HUB-001"), "deliveryteam123", Zone::West, 22_000),
    ("PROC-001", "Anjali Kulkarni", "anjali.kulkarni@nexusoms.com", Role::Procurement, Some("PROCH-001"), "procurement123", Zone::PanIndia, 38_000),
    ("PROCH-001", "Sanjay Bhatt", "sanjay.bhatt@nexusoms.com", Role::ProcurementHead, None, "procurementhead123", Zone::PanIndia, 75_000),
];

/// Default permissions by role (`auth::role_defaults`: the legacy migration map, §4.1).
pub fn role_permissions(role: Role) -> Vec<Permission> {
    role_defaults(role).to_vec()
}

fn org_positions(role: Role, zone: Zone) -> Vec<String> {
    let z = match zone {
        Zone::West => "west",
        Zone::East => "east",
        Zone::South => "south",
        Zone::North => "north",
        Zone::PanIndia => "all",
    };
    match role {
        Role::Nsm => vec!["nsm_retail".into()],
        Role::Rsm => vec![format!("rsm_{z}_retail")],
        Role::Asm => vec![format!("asm_{z}_retail")],
        Role::Sales | Role::SalesExecutive => vec![format!("sales_{z}_retail")],
        _ => Vec::new(),
    }
}

fn users(now: Timestamp) -> Vec<DemoUser> {
    USERS
        .iter()
        .map(
            |&(id, name, email, role, manager, password, zone, salary)| {
                let mut u = User::new(id, name, role);
                u.email = Some(email.into());
                u.manager_id = manager.map(str::to_string);
                u.zone = zone;
                u.location = Some(
                    match zone {
                        Zone::West => "Mumbai",
                        _ => "Pan India",
                    }
                    .into(),
                );
                u.permissions = role_permissions(role);
                u.org_positions = org_positions(role, zone);
                u.gross_monthly_salary = money(salary);
                if role == Role::Sales {
                    u.monthly_target = money(1_000_000);
                    u.channel = Some("Retail".into());
                }
                u.employee_id = Some(format!("EMP-{id}"));
                u.must_change_password = true;
                u.created_at = Some(now);
                u.updated_at = Some(now);
                DemoUser { user: u, password }
            },
        )
        .collect()
}

// ---------------------------------------------------------------------------------------
// Customers

fn customers(now: Timestamp) -> Vec<Customer> {
    let mut abc = Customer::new("CUST-001", "ABC Traders");
    abc.customer_type = Some("Distributor".into());
    abc.set_balances(money(15_000), money(5_000));
    abc.set_limit(money(50_000));
    abc.ageing_days = Some(45);
    abc.credit_days = Some("30 days".into());
    abc.aging_buckets = AgingBuckets {
        d30_45: money(3_000),
        d45_90: money(2_000),
        ..AgingBuckets::default()
    };
    abc.security_chq = Some("Yes".into());
    abc.distribution_channel = Some("Distributor".into());
    abc.customer_class = Some("A".into());
    abc.location = Some("Mumbai West".into());
    abc.city = Some("Mumbai".into());
    abc.region = Some("Maharashtra".into());
    abc.postal_code = Some("400070".into());
    abc.address = Some("12 Market Yard, Kurla West, Mumbai".into());
    abc.phone = Some("+91 22 5550 0101".into());
    abc.email = Some("accounts@abctraders.example".into());
    abc.constitution = Some("Partnership".into());
    abc.assigned_salesperson_id = Some("SALES-001".into());
    abc.sales_manager = Some("Karan Singh".into());
    abc.employee_responsible = Some("Rajesh Kumar".into());

    let mut xyz = Customer::new("CUST-002", "XYZ Enterprises");
    xyz.customer_type = Some("Distributor".into());
    xyz.set_balances(money(8_000), Money::ZERO);
    xyz.set_limit(money(100_000));
    xyz.ageing_days = Some(15);
    xyz.credit_days = Some("15 days".into());
    // Nothing overdue: the 8,000 outstanding is not yet due, so every bucket is zero.
    xyz.security_chq = Some("-".into());
    xyz.distribution_channel = Some("Modern Trade".into());
    xyz.customer_class = Some("A+".into());
    xyz.location = Some("Delhi NCR".into());
    xyz.city = Some("New Delhi".into());
    xyz.region = Some("Delhi".into());
    xyz.postal_code = Some("110020".into());
    xyz.address = Some("Plot 7, Okhla Industrial Area Phase II, New Delhi".into());
    xyz.phone = Some("+91 11 5550 0202".into());
    xyz.constitution = Some("Company".into());
    xyz.assigned_salesperson_id = Some("SALES-002".into());
    xyz.sales_manager = Some("Karan Singh".into());
    xyz.employee_responsible = Some("Priya Sharma".into());

    let mut coastal = Customer::new("CUST-003", "Coastal Kitchens HoReCa");
    coastal.customer_type = Some("Horeca".into());
    coastal.set_balances(money(120_000), money(45_000));
    coastal.set_limit(money(150_000));
    coastal.ageing_days = Some(95);
    coastal.credit_days = Some("45 days".into());
    coastal.aging_buckets = AgingBuckets {
        d15_30: money(10_000),
        d30_45: money(8_000),
        d45_90: money(12_000),
        d90_120: money(15_000),
        ..AgingBuckets::default()
    };
    coastal.diff_yesterday_today = money(-2_500);
    coastal.security_chq = Some("Yes".into());
    coastal.distribution_channel = Some("Horeca".into());
    coastal.customer_class = Some("B".into());
    coastal.location = Some("Bengaluru".into());
    coastal.city = Some("Bengaluru".into());
    coastal.region = Some("Karnataka".into());
    coastal.postal_code = Some("560001".into());
    coastal.address = Some("45 Residency Road, Bengaluru".into());
    coastal.constitution = Some("Proprietorship".into());
    coastal.assigned_salesperson_id = Some("SALES-001".into());
    coastal.sales_manager = Some("Karan Singh".into());
    coastal.employee_responsible = Some("Rajesh Kumar".into());

    let mut all = vec![abc, xyz, coastal];
    for c in &mut all {
        c.created_by = Some("USER-001".into());
        c.created_at = Some(now);
        c.updated_at = Some(now);
    }
    all
}

// ---------------------------------------------------------------------------------------
// Products and warehouses

struct BatchRow {
    id: &'static str,
    number: &'static str,
    mfg: DateOnly,
    exp: DateOnly,
    qty: u64,
    weight: &'static str,
    warehouse: &'static str,
}

fn batch(row: BatchRow, now: Timestamp) -> Batch {
    let mut b = Batch::new(row.number, qty(row.qty), Some(row.exp));
    b.batch_id = row.id.into();
    b.mfg_date = Some(row.mfg);
    b.weight = Some(row.weight.into());
    b.warehouse_id = Some(row.warehouse.into());
    b.is_active = row.qty > 0;
    b.created_at = Some(now);
    b
}

/// Quantities are what is left after the demo orders drew their allocations; the stock
/// ledger below shows receipts and draws that add up to them.
fn products(today: NaiveDate, now: Timestamp) -> Vec<Product> {
    let mut rice = Product::new("PROD-001", "Premium Basmati Rice 5kg");
    rice.sku_code = Some("SKU-001".into());
    rice.product_short_name = Some("Basmati 5kg".into());
    rice.category = Some("Rice".into());
    rice.base_rate = Some(money(450));
    rice.price = Some(money(450));
    rice.mrp = Some(money(500));
    rice.gst = Some(pct(5));
    rice.hsn_code = Some("1006".into());
    rice.unit = Some("PCS".into());
    rice.weight_packing = Some("5 KG BAG".into());
    rice.product_weight = Some("5.000".into());
    rice.product_packing = Some("BAG".into());
    rice.distribution_channel = Some("RETAIL/HD".into());
    rice.country_of_origin = Some("India".into());
    rice.shelf_life_days = Some(180);
    rice.barcode = Some("8901234500011".into());
    rice.batches = vec![
        batch(
            BatchRow {
                id: "B001",
                number: "BATCH-001",
                mfg: date(2025, 12, 1),
                exp: date(2026, 6, 1),
                qty: 100,
                weight: "5 KG",
                warehouse: "WH-KURLA",
            },
            now,
        ),
        batch(
            BatchRow {
                id: "B002",
                number: "BATCH-002",
                mfg: date(2026, 1, 1),
                exp: date(2026, 7, 1),
                qty: 50,
                weight: "5 KG",
                warehouse: "WH-DELHI",
            },
            now,
        ),
    ];

    let mut prawns = Product::new("PROD-002", "Frozen Vannamei Prawns 500g");
    prawns.sku_code = Some("SKU-002".into());
    prawns.product_short_name = Some("Prawns 500g".into());
    prawns.category = Some("Seafood".into());
    prawns.specie = Some("Prawns".into());
    prawns.price = Some(money(320));
    prawns.base_rate = Some(money(320));
    prawns.mrp = Some(money(380));
    prawns.gst = Some(pct(5));
    prawns.hsn_code = Some("0306".into());
    prawns.unit = Some("PKT".into());
    prawns.weight_packing = Some("500G PKTS".into());
    prawns.product_weight = Some("0.500".into());
    prawns.product_packing = Some("PKTS".into());
    prawns.distribution_channel = Some("RETAIL/HD".into());
    prawns.country_of_origin = Some("India".into());
    prawns.shelf_life_days = Some(365);
    prawns.barcode = Some("8901234500028".into());
    prawns.batches = vec![
        batch(
            BatchRow {
                id: "B003",
                number: "BATCH-003",
                mfg: days_from(today, -320),
                exp: days_from(today, 45),
                qty: 80,
                weight: "0.5 KG",
                warehouse: "WH-KURLA",
            },
            now,
        ),
        batch(
            BatchRow {
                id: "B004",
                number: "BATCH-004",
                mfg: days_from(today, -30),
                exp: days_from(today, 335),
                qty: 200,
                weight: "0.5 KG",
                warehouse: "WH-KURLA",
            },
            now,
        ),
    ];

    let mut salmon = Product::new("PROD-003", "Atlantic Salmon Fillet 1kg");
    salmon.sku_code = Some("SKU-003".into());
    salmon.product_short_name = Some("Salmon Fillet 1kg".into());
    salmon.category = Some("Seafood".into());
    salmon.specie = Some("Salmon".into());
    salmon.price = Some(money(1_450));
    salmon.base_rate = Some(money(1_450));
    salmon.mrp = Some(money(1_650));
    salmon.gst = Some(pct(5));
    salmon.hsn_code = Some("0304".into());
    salmon.unit = Some("KG".into());
    salmon.weight_packing = Some("1KG VACUUM PACK".into());
    salmon.product_weight = Some("1.000".into());
    salmon.product_packing = Some("VACUUM PACK".into());
    salmon.distribution_channel = Some("HORECA".into());
    salmon.country_of_origin = Some("Norway".into());
    salmon.shelf_life_days = Some(270);
    salmon.barcode = Some("8901234500035".into());
    salmon.batches = vec![
        batch(
            BatchRow {
                id: "B005",
                number: "BATCH-005",
                mfg: days_from(today, -250),
                exp: days_from(today, 20),
                qty: 25,
                weight: "1 KG",
                warehouse: "WH-KURLA",
            },
            now,
        ),
        batch(
            BatchRow {
                id: "B006",
                number: "BATCH-006",
                mfg: days_from(today, -110),
                exp: days_from(today, 160),
                qty: 60,
                weight: "1 KG",
                warehouse: "WH-DELHI",
            },
            now,
        ),
        // Written off at expiry: kept for traceability, inactive at zero.
        batch(
            BatchRow {
                id: "B007",
                number: "BATCH-007",
                mfg: days_from(today, -280),
                exp: days_from(today, -10),
                qty: 0,
                weight: "1 KG",
                warehouse: "WH-KURLA",
            },
            now,
        ),
    ];

    let mut ketchup = Product::new("PROD-004", "Tomato Ketchup 1kg");
    ketchup.sku_code = Some("SKU-004".into());
    ketchup.product_short_name = Some("Ketchup 1kg".into());
    ketchup.category = Some("Sauces".into());
    ketchup.price = Some(money(110));
    ketchup.base_rate = Some(money(110));
    ketchup.mrp = Some(money(135));
    ketchup.gst = Some(pct(12));
    ketchup.hsn_code = Some("2103".into());
    ketchup.unit = Some("PCS".into());
    ketchup.weight_packing = Some("1KG BOTTLE".into());
    ketchup.product_weight = Some("1.000".into());
    ketchup.product_packing = Some("BOTTLE".into());
    ketchup.distribution_channel = Some("RETAIL/HD".into());
    ketchup.country_of_origin = Some("India".into());
    ketchup.shelf_life_days = Some(365);
    ketchup.barcode = Some("8901234500042".into());
    ketchup.batches = vec![
        batch(
            BatchRow {
                id: "B008",
                number: "BATCH-008",
                mfg: days_from(today, -295),
                exp: days_from(today, 70),
                qty: 120,
                weight: "1 KG",
                warehouse: "WH-DELHI",
            },
            now,
        ),
        batch(
            BatchRow {
                id: "B009",
                number: "BATCH-009",
                mfg: days_from(today, -115),
                exp: days_from(today, 250),
                qty: 300,
                weight: "1 KG",
                warehouse: "WH-KURLA",
            },
            now,
        ),
    ];

    let mut all = vec![rice, prawns, salmon, ketchup];
    for p in &mut all {
        compute::sync_stock(p);
        p.created_at = Some(now);
        p.updated_at = Some(now);
    }
    all
}

/// `(id, name, location, legacy alias, state, current °C, min °C, max °C, manager)`
type WarehouseRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    i64,
    i64,
    &'static str,
);

fn warehouses(products: &[Product], now: Timestamp) -> Vec<Warehouse> {
    #[rustfmt::skip]
    let rows: [WarehouseRow; 4] = [
        ("WH-KURLA", "Kurla Cold Storage", "Kurla, Mumbai", "W1", "Maharashtra", -20, -25, -18, "Suresh Nair"),
        ("WH-NHAVA", "DP World Nhava Sheva", "Nhava Sheva, Navi Mumbai", "W2", "Maharashtra", -22, -25, -18, "Suresh Nair"),
        ("WH-DELHI", "Arihant Delhi", "Delhi", "W3", "Delhi", -19, -22, -15, "Ravi Yadav"),
        ("WH-BLR", "Jolly BNG", "Bengaluru", "W4", "Karnataka", 2, 0, 4, "Ravi Yadav"),
    ];
    rows.iter()
        .map(
            |&(id, name, location, alias, state, cur, min, max, manager)| {
                let used: Quantity = products
                    .iter()
                    .flat_map(|p| &p.batches)
                    .filter(|b| b.is_active && b.warehouse_id.as_deref() == Some(id))
                    .map(|b| b.quantity)
                    .sum();
                Warehouse {
                    id: id.into(),
                    name: name.into(),
                    location: location.into(),
                    aliases: vec![alias.into()],
                    state: Some(state.into()),
                    capacity_total: Decimal::from(if id == "WH-BLR" { 20_000 } else { 50_000 }),
                    capacity_used: used.value(),
                    temperature: Temperature {
                        current: Some(Decimal::from(cur)),
                        min: Some(Decimal::from(min)),
                        max: Some(Decimal::from(max)),
                    },
                    inventory: Vec::new(),
                    manager: Some(manager.into()),
                    created_at: Some(now),
                    updated_at: Some(now),
                    extra: Map::new(),
                }
            },
        )
        .collect()
}

// ---------------------------------------------------------------------------------------
// Packaging

fn packaging(now: Timestamp) -> Vec<PackagingMaterial> {
    #[rustfmt::skip]
    let rows = [
        ("PKG-001", "Poly Bags 5kg", PackagingUnit::Pcs, 1_000, 500, PackagingCategory::PolyPkts),
        ("PKG-002", "Vacuum Pouches 1kg", PackagingUnit::Pcs, 500, 200, PackagingCategory::VacuumPouches),
        ("PKG-003", "Corrugated Cartons 10kg (5-ply)", PackagingUnit::Pcs, 200, 850, PackagingCategory::Cartons),
        ("PKG-004", "BOPP Tape 48mm", PackagingUnit::Rolls, 50, 120, PackagingCategory::TapeLabels),
    ];
    rows.into_iter()
        .map(
            |(id, name, unit, moq, balance, category)| PackagingMaterial {
                id: id.into(),
                name: name.into(),
                unit,
                moq: qty(moq),
                balance: qty(balance),
                category,
                last_movement_date: Some(at(now, 7, 0)),
                created_at: Some(now),
                updated_at: Some(now),
                extra: Map::new(),
            },
        )
        .collect()
}

// ---------------------------------------------------------------------------------------
// Performance (PMS)

/// The month the seed's PMS records are for (the curl checks read `Feb'26`).
pub fn demo_pms_month() -> PmsMonth {
    PmsMonth::new(2026, 2).unwrap_or_else(|_| PmsMonth::of_date(NaiveDate::MIN))
}

fn kra(id: i64, name: &str, kind: KraType, target: i64, achieved: i64, weightage: i64) -> Kra {
    Kra {
        id,
        name: name.into(),
        criteria: None,
        target: Decimal::from(target),
        achieved: Decimal::from(achieved),
        weightage: Decimal::from(weightage),
        kra_type: kind,
        final_score: Decimal::ZERO,
    }
}

fn performance(now: Timestamp) -> Vec<PerformanceRecord> {
    let month = demo_pms_month();
    let record = |user_id: &str, user_name: &str, salary: i64, od: OdBalances, kras: Vec<Kra>| {
        let mut r = PerformanceRecord {
            user_id: user_id.into(),
            user_name: user_name.into(),
            month,
            period: Some(month.period()),
            gross_monthly_salary: money(salary),
            od_balances: od,
            kras,
            total_score: Decimal::ZERO,
            incentive_amount: Money::ZERO,
            incentive_percentage: Decimal::ZERO,
            policy_version: None,
            created_at: Some(now),
            updated_at: Some(now),
            rev: 0,
            extra: Map::new(),
        };
        compute::score(&mut r);
        r
    };
    vec![
        // The legacy seed's record (domain.md §2.11 worked example A): 48 + 27 + 24 = 99.
        record(
            "SALES-001",
            "Rajesh Kumar",
            50_000,
            OdBalances {
                chennai: money(300_000),
                self_: money(200_000),
                hyd: money(100_000),
            },
            vec![
                kra(
                    1,
                    "Sales Target",
                    KraType::Unrestricted,
                    1_000_000,
                    1_200_000,
                    40,
                ),
                kra(2, "Collection", KraType::Restricted, 500_000, 450_000, 30),
                kra(3, "New Customers", KraType::Unrestricted, 10, 12, 20),
            ],
        ),
        // The admin record the curl checks read: 28.5 + 19.2 + 29.4 + 18.0 = 95.1 (§2.11).
        record(
            "USER-001",
            "System Administrator",
            150_000,
            OdBalances::default(),
            vec![
                kra(1, "Revenue Growth", KraType::Unrestricted, 100, 95, 30),
                kra(2, "Cost Control", KraType::Restricted, 100, 96, 20),
                kra(3, "Customer Retention", KraType::Restricted, 100, 98, 30),
                kra(4, "Process Compliance", KraType::Restricted, 100, 90, 20),
            ],
        ),
    ]
}

// ---------------------------------------------------------------------------------------
// Orders and the stock ledger

/// The lifecycle steps, as `(status, step code, actor id)`.
const PATH: &[(OrderStatus, &str, &str)] = &[
    (OrderStatus::PendingCreditApproval, "order_booking", ""),
    (
        OrderStatus::PendingWhSelection,
        "credit_approval",
        "CREDIT-001",
    ),
    (OrderStatus::PendingPacking, "wh_selection", "WHM-001"),
    (OrderStatus::PendingQualityControl, "packing", "WH-001"),
    (OrderStatus::PendingLogisticsCost, "qc", "QC-001"),
    (OrderStatus::ReadyForBilling, "logistics_cost", "LOG-001"),
    (OrderStatus::ReadyForDispatch, "invoicing", "BILL-001"),
    (OrderStatus::InTransit, "dispatch", "HUB-001"),
    (OrderStatus::Delivered, "delivery", "DRV-001"),
];

/// One demo order line: `(product id, quantity, allocated batch)`.
type Line = (&'static str, u64, Option<&'static str>);

struct Spec {
    id: &'static str,
    customer: &'static str,
    salesperson: &'static str,
    /// How far along [`PATH`] the order got (index of its current status).
    reached: usize,
    /// `Some(reason)` for an order cancelled after reaching `reached`.
    cancelled: Option<&'static str>,
    warehouse: Option<&'static str>,
    days_ago: i64,
    lines: &'static [Line],
    remarks: &'static str,
}

const ORDERS: &[Spec] = &[
    Spec {
        id: "ORD-001",
        customer: "CUST-001",
        salesperson: "SALES-001",
        reached: 0,
        cancelled: None,
        warehouse: None,
        days_ago: 1,
        lines: &[("PROD-001", 10, None), ("PROD-004", 12, None)],
        remarks: "Weekly replenishment",
    },
    Spec {
        id: "ORD-002",
        customer: "CUST-002",
        salesperson: "SALES-002",
        reached: 1,
        cancelled: None,
        warehouse: None,
        days_ago: 2,
        lines: &[("PROD-002", 10, None), ("PROD-003", 2, None)],
        remarks: "Modern-trade promotion stock",
    },
    Spec {
        id: "ORD-003",
        customer: "CUST-001",
        salesperson: "SALES-001",
        reached: 2,
        cancelled: None,
        warehouse: Some("WH-KURLA"),
        days_ago: 3,
        lines: &[
            ("PROD-002", 20, Some("BATCH-003")),
            ("PROD-004", 10, Some("BATCH-009")),
        ],
        remarks: "Deliver before Friday",
    },
    Spec {
        id: "ORD-004",
        customer: "CUST-003",
        salesperson: "SALES-001",
        reached: 7,
        cancelled: None,
        warehouse: Some("WH-KURLA"),
        days_ago: 6,
        lines: &[("PROD-003", 5, Some("BATCH-005"))],
        remarks: "Hotel kitchen, frozen chain",
    },
    Spec {
        id: "ORD-005",
        customer: "CUST-002",
        salesperson: "SALES-002",
        reached: 8,
        cancelled: None,
        warehouse: Some("WH-DELHI"),
        days_ago: 12,
        lines: &[
            ("PROD-004", 24, Some("BATCH-008")),
            ("PROD-003", 4, Some("BATCH-006")),
        ],
        remarks: "",
    },
    Spec {
        id: "ORD-006",
        customer: "CUST-003",
        salesperson: "SALES-002",
        reached: 0,
        cancelled: Some("Customer cancelled: duplicate of a phone order"),
        warehouse: None,
        days_ago: 4,
        lines: &[("PROD-001", 20, None)],
        remarks: "",
    },
];

/// Stock drawn from one batch for one demo order.
struct Draw {
    sku: String,
    warehouse: String,
    batch: String,
    qty: Quantity,
    order: String,
    at: Timestamp,
}

fn user_name<'a>(users: &'a [DemoUser], id: &'a str) -> &'a str {
    users
        .iter()
        .find(|u| u.user.id == id)
        .map(|u| u.user.name.as_str())
        .unwrap_or(id)
}

fn role_of(users: &[DemoUser], id: &str) -> Option<String> {
    users
        .iter()
        .find(|u| u.user.id == id)
        .map(|u| u.user.role.as_str().to_string())
}

fn orders_and_ledger(
    products: &[Product],
    warehouses: &[Warehouse],
    customers: &[Customer],
    users: &[DemoUser],
    now: Timestamp,
) -> (Vec<Order>, Vec<StockLedgerEntry>) {
    let mut orders = Vec::new();
    let mut draws: Vec<Draw> = Vec::new();

    for spec in ORDERS {
        let customer = customers.iter().find(|c| c.id == spec.customer);
        let created = at(now, spec.days_ago, 0);
        let mut o = Order::new(spec.id, spec.customer);
        o.customer_name = customer.map(|c| c.name.clone());
        o.salesperson_id = Some(spec.salesperson.into());
        o.salesperson_name = Some(user_name(users, spec.salesperson).into());
        o.partner_type = customer.and_then(|c| c.customer_type.clone());
        o.remarks = (!spec.remarks.is_empty()).then(|| spec.remarks.to_string());
        o.place_of_supply = customer.and_then(|c| c.region.clone());
        o.source_warehouse = spec.warehouse.map(str::to_string);
        o.created_at = Some(created);

        for &(pid, n, batch_no) in spec.lines {
            let Some(p) = products.iter().find(|p| p.id == pid) else {
                continue;
            };
            // The line booking makes at the base rate, with one box and no image.
            let line = booking::item_for(0, p, qty(n), p.base_rate(), Money::ZERO)
                .expect("every demo product carries a GST rate");
            let mut item = OrderItem {
                box_count: Decimal::ONE,
                image_url: None,
                ..line
            };
            if let Some(bn) = batch_no {
                let b = p.batches.iter().find(|b| b.batch_number == bn);
                item.allocated_batches.push(AllocatedBatch {
                    batch_number: bn.into(),
                    qty: qty(n),
                    expiry: b
                        .and_then(|b| b.exp_date)
                        .and_then(|d| Timestamp::parse(&d.to_string()).ok()),
                    product_id: Some(p.id.clone()),
                    warehouse_id: spec.warehouse.map(str::to_string),
                });
                draws.push(Draw {
                    sku: p.sku().to_string(),
                    warehouse: spec.warehouse.unwrap_or_default().to_string(),
                    batch: bn.to_string(),
                    qty: qty(n),
                    order: spec.id.to_string(),
                    at: at(now, spec.days_ago, 3),
                });
                if spec.reached >= 3 {
                    item.packed_quantity = Some(qty(n));
                }
                if spec.reached >= 8 {
                    item.delivered_quantity = Some(qty(n));
                }
            }
            o.items.push(item);
        }
        let supplier_state = spec
            .warehouse
            .and_then(|w| warehouses.iter().find(|x| x.id == w))
            .and_then(|w| w.state.clone())
            .unwrap_or_else(|| HOME_STATE.to_string());
        compute::price(&mut o, &supplier_state);

        // Status history along the path, one step every few hours.
        let mut prev: Option<OrderStatus> = None;
        for (i, &(status, step, actor)) in PATH.iter().enumerate().take(spec.reached + 1) {
            let actor = if actor.is_empty() {
                spec.salesperson
            } else {
                actor
            };
            o.status_history.push(StatusChange {
                status: status.as_str().into(),
                timestamp: at(now, spec.days_ago, 3 * i as i64),
                from: prev.map(|p| p.as_str().to_string()),
                step: Some(step.into()),
                actor_id: Some(actor.into()),
                actor_role: role_of(users, actor),
                reason: None,
                data: None,
            });
            prev = Some(status);
        }
        o.status = prev.unwrap_or(OrderStatus::PendingCreditApproval);
        if let Some(reason) = spec.cancelled {
            o.status_history.push(StatusChange {
                status: OrderStatus::Cancelled.as_str().into(),
                timestamp: at(now, spec.days_ago, 3 * (spec.reached as i64 + 1)),
                from: prev.map(|p| p.as_str().to_string()),
                step: Some("cancel".into()),
                actor_id: Some(spec.salesperson.into()),
                actor_role: role_of(users, spec.salesperson),
                reason: Some(reason.into()),
                data: None,
            });
            o.status = OrderStatus::Cancelled;
            o.rejection_reason = Some(reason.into());
        }
        step_details(&mut o, spec, customer, now);
        o.stock_reserved = spec.lines.iter().any(|l| l.2.is_some()) && spec.cancelled.is_none();
        o.updated_at = o
            .status_history
            .last()
            .map(|h| h.timestamp)
            .or(Some(created));
        orders.push(o);
    }
    // Orders waiting for credit control carry the check a booking records, so the credit
    // queue shows a verdict on a fresh install.
    let checks: Vec<(usize, crate::model::order::CreditCheck)> = orders
        .iter()
        .enumerate()
        .filter(|(_, o)| o.status == OrderStatus::PendingCreditApproval)
        .map(|(i, o)| {
            let snapshot = customers
                .iter()
                .find(|c| c.id == o.customer_id)
                .map(crate::rules::credit::CreditSnapshot::from_customer)
                .unwrap_or_default();
            let open = crate::rules::credit::open_uninvoiced_total(&orders, &o.customer_id, &o.id);
            let at = o.created_at.unwrap_or(now);
            (i, crate::rules::credit::check(&snapshot, open, o.total, at))
        })
        .collect();
    for (i, c) in checks {
        orders[i].credit_check = Some(c);
    }

    (orders, ledger(products, &draws, now))
}

/// The data each completed step records (credit snapshot, QC checklist, costing, invoice,
/// manifest, delivery), consistent with the status history.
fn step_details(o: &mut Order, spec: &Spec, customer: Option<&Customer>, now: Timestamp) {
    let step_at = |i: usize| at(now, spec.days_ago, 3 * i as i64);
    if spec.reached >= 1 {
        let outstanding = customer
            .map(|c| c.effective_outstanding())
            .unwrap_or_default();
        o.credit_decision = Some(CreditDecision {
            decision: "Approved".into(),
            reason: Some("Within limit; no overdue beyond 60 days".into()),
            decided_by: "CREDIT-001".into(),
            decided_at: step_at(1),
            limit: customer.and_then(|c| c.effective_limit()),
            outstanding,
            overdue: customer.map(|c| c.effective_overdue()).unwrap_or_default(),
            exposure: outstanding + o.total,
            overridden: false,
            by_rule: false,
        });
    }
    if spec.reached >= 4 {
        o.qc = Some(QcDetails {
            temp_verified: true,
            actual_temp: Some(Decimal::from(-19)),
            packaging_intact: true,
            weight_verified: true,
            label_clarity: true,
            invoice_dc_attached: true,
            qc_passed: true,
            qc_agent_id: Some("QC-001".into()),
            qc_timestamp: Some(step_at(4)),
            qc_remarks: Some("All five checks passed".into()),
        });
    }
    let mut logistics = None;
    if spec.reached >= 5 {
        // 2 thermacol boxes × ₹300 + 5 kg dry ice × ₹18 + ₹300 to the station.
        let input = AncillaryCostInput {
            thermacol_box_count: qty(2),
            thermacol_rate: Some(money(300)),
            dry_ice_kg: qty(5),
            dry_ice_rate: Some(money(18)),
            wh_to_station_amount: money(300),
            station_to_loc_amount: Money::ZERO,
            wh_to_cust_amount: Money::ZERO,
        };
        let (breakdown, assessment) = compute::logistics_cost(o, &input);
        logistics = Some(Logistics {
            shipping_cost: breakdown.total,
            high_cost_alert: assessment.high_cost_alert,
            cost_breakdown: Some(breakdown),
            ..Logistics::default()
        });
    }
    if spec.reached >= 6 {
        let n: String = spec.id.chars().filter(char::is_ascii_digit).collect();
        o.invoice = Some(InvoiceDetails {
            invoice_no: format!("INV-DEMO-{n}"),
            invoice_date: Some(step_at(6)),
            invoice_file: None,
            taxable_value: o.sub_total,
            cgst: o.cgst,
            sgst: o.sgst,
            igst: o.igst,
            total: o.total,
            invoiced_by: Some("BILL-001".into()),
        });
    }
    if spec.reached >= 7
        && let Some(l) = logistics.as_mut()
    {
        let booked = step_at(7);
        l.delivery_agent_id = Some("DRV-001".into());
        l.delivery_agent_name = Some("Manoj Tiwari".into());
        l.vehicle_no = Some("MH-04-AB-1234".into());
        l.vehicle_provider = Some("Hub Manifest".into());
        l.vehicle_type = Some("Truck".into());
        l.manifest_id = Some(format!("MAN-{}-1", booked.datetime().format("%y%m%d")));
        l.eway_bill = Some(format!("3310{:08}", spec.days_ago * 1_000 + 4));
        l.seal_no = Some(format!("SEAL-{}", 7_700 + spec.days_ago));
        l.booking_date = Some(booked);
        l.assigned_at = Some(booked);
        l.expected_delivery_date = Some(at(now, spec.days_ago - 2, 0));
    }
    o.logistics = logistics;
    if spec.reached >= 8 {
        o.delivery = Some(DeliveryDetails {
            otp_verified: true,
            delivered_at: Some(step_at(8)),
            delivered_by: Some("DRV-001".into()),
            cash_collected: Money::ZERO,
            pod_url: None,
            receiver_name: Some("Stores in-charge".into()),
            remarks: Some("Received in good condition".into()),
        });
    }
    if spec.reached >= 1 {
        o.intelligence_insight =
            Some("Low risk: exposure within limit, overdue below 60 days.".into());
    }
}

/// Receipts for every batch, the draws of the demo orders, and the expiry write-off, so
/// that receipts − draws − write-offs = each batch's quantity.
fn ledger(products: &[Product], draws: &[Draw], now: Timestamp) -> Vec<StockLedgerEntry> {
    let mut rows = Vec::new();
    let mut n = 0;
    let mut next_id = || {
        n += 1;
        format!("LED-SEED-{n:04}")
    };
    let entry = |id: String,
                 ty: LedgerType,
                 sku: &str,
                 wh: &str,
                 batch: &str,
                 q: Quantity,
                 order: Option<&str>,
                 when: Timestamp,
                 reason: &str| {
        let signed = match ty {
            LedgerType::Add | LedgerType::Restore => q.value(),
            LedgerType::Deduct | LedgerType::Adjust => -q.value(),
        };
        StockLedgerEntry {
            id: Some(id),
            timestamp: when,
            product_id: sku.into(),
            warehouse_id: Some(wh.into()),
            order_id: order.map(str::to_string),
            entry_type: ty,
            qty: q.value(),
            signed_qty: Some(signed),
            batch_number: Some(batch.into()),
            actor_id: Some(if order.is_some() { "WHM-001" } else { "WH-001" }.into()),
            reason: Some(reason.into()),
            details: Some(match order {
                Some(o) => format!("Allocated for Order {o}"),
                None => format!("Stock entry: {batch}"),
            }),
            extra: Map::new(),
        }
    };
    for p in products {
        for b in &p.batches {
            let wh = b.warehouse_id.as_deref().unwrap_or_default();
            let drawn: Quantity = draws
                .iter()
                .filter(|d| d.sku == p.sku() && d.batch == b.batch_number)
                .map(|d| d.qty)
                .sum();
            let written_off = if b.is_active { Quantity::ZERO } else { qty(10) };
            let received = b.quantity + drawn + written_off;
            let received_at = b
                .mfg_date
                .map(|d| d.naive().and_hms_opt(6, 0, 0).unwrap_or_default().and_utc())
                .map(Timestamp::from_datetime)
                .unwrap_or(now);
            rows.push(entry(
                next_id(),
                LedgerType::Add,
                p.sku(),
                wh,
                &b.batch_number,
                received,
                None,
                received_at,
                "RECEIPT",
            ));
            if !written_off.is_zero() {
                let when = b
                    .exp_date
                    .map(|d| d.naive().and_hms_opt(6, 0, 0).unwrap_or_default().and_utc())
                    .map(Timestamp::from_datetime)
                    .unwrap_or(now);
                rows.push(entry(
                    next_id(),
                    LedgerType::Adjust,
                    p.sku(),
                    wh,
                    &b.batch_number,
                    written_off,
                    None,
                    when,
                    "EXPIRED_WRITE_OFF",
                ));
            }
        }
    }
    for d in draws {
        rows.push(entry(
            next_id(),
            LedgerType::Deduct,
            &d.sku,
            &d.warehouse,
            &d.batch,
            d.qty,
            Some(&d.order),
            d.at,
            "ORDER_ALLOCATION",
        ));
    }
    rows
}
