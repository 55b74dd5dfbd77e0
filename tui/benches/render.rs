//! Frame time of the order list with 10,000 orders loaded, on ratatui's `TestBackend`
//! (`cargo bench -p nexus-tui --bench render`). Each frame moves the selection, so the
//! window scrolls and the diff against the previous frame is real work, as when an operator
//! holds the arrow key. Prints mean, p50, p99 and max per frame for two terminal sizes.

use chrono::{TimeZone, Utc};
use nexus_core::model::OrderStatus;
use nexus_tui::app::{ApiResult, App, Input};
use nexus_tui::dto::{OrderRow, Status, UserInfo};
use nexus_tui::keys::Key;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use rust_decimal::Decimal;
use std::time::{Duration, Instant};

const ORDERS: usize = 10_000;
const FRAMES: usize = 500;
const STATUSES: [OrderStatus; 6] = [
    OrderStatus::PendingCreditApproval,
    OrderStatus::PendingWhSelection,
    OrderStatus::PendingPacking,
    OrderStatus::InTransit,
    OrderStatus::Delivered,
    OrderStatus::Cancelled,
];

fn app() -> App {
    let now = Utc.with_ymd_and_hms(2026, 2, 12, 12, 0, 0).unwrap();
    let mut app = App::new("http://127.0.0.1:3000", false, now);
    app.handle(Input::Api(ApiResult::LoggedIn(UserInfo {
        id: "USER-001".into(),
        name: "Admin".into(),
        role: "Admin".into(),
        permissions: vec![],
    })));
    let rows: Vec<OrderRow> = (0..ORDERS)
        .map(|i| OrderRow {
            id: format!("ORD-{i:06}"),
            customer_id: format!("CUST-{:03}", i % 300),
            customer_name: format!("Customer {} Traders", i % 300),
            status: Status::of(STATUSES[i % STATUSES.len()]),
            total: Decimal::new(i as i64 * 1337, 2),
            salesperson_id: format!("SALES-{:03}", i % 40),
            created_at: Some(now - chrono::Duration::minutes(i as i64)),
            items: 3,
            steps: Some(Vec::new()),
            credit: None,
        })
        .collect();
    app.handle(Input::Api(ApiResult::Orders {
        query: Default::default(),
        result: Ok((rows, nexus_tui::api::ListTotal::exact(ORDERS as u64))),
    }));
    app.handle(Input::Key(Key::Char('o')));
    app
}

fn measure(w: u16, h: u16) -> Vec<Duration> {
    let mut app = app();
    app.handle(Input::Resize(w, h));
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let mut times = Vec::with_capacity(FRAMES);
    for i in 0..FRAMES {
        // Alternate long jumps and single steps.
        let key = if i % 50 == 49 {
            Key::PageDown
        } else {
            Key::Down
        };
        app.handle(Input::Key(key));
        let start = Instant::now();
        t.draw(|f| nexus_tui::views::render(&app, f)).unwrap();
        times.push(start.elapsed());
    }
    times
}

fn report(label: &str, mut times: Vec<Duration>) -> f64 {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mean = times.iter().map(|d| ms(*d)).sum::<f64>() / times.len() as f64;
    let p = |q: f64| ms(times[((times.len() as f64 * q) as usize).min(times.len() - 1)]);
    println!(
        "{label}: {} frames, mean {mean:.3} ms, p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        times.len(),
        p(0.50),
        p(0.99),
        ms(*times.last().unwrap())
    );
    p(0.99)
}

fn main() {
    println!("order list with {ORDERS} orders loaded, TestBackend");
    let mut worst: f64 = 0.0;
    for (w, h) in [(80, 24), (200, 60)] {
        worst = worst.max(report(&format!("{w}x{h}"), measure(w, h)));
    }
    // Sorting all 10,000 rows by a column is the cost of a key press, not of a frame.
    let mut app = app();
    let start = Instant::now();
    app.handle(Input::Key(Key::Char('4')));
    println!(
        "sort 10,000 orders by total (one key press): {:.3} ms",
        start.elapsed().as_secs_f64() * 1000.0
    );
    let budget = 16.0;
    println!(
        "p99 frame {worst:.3} ms: {} the {budget} ms budget",
        if worst < budget { "within" } else { "OVER" }
    );
    if worst >= budget {
        std::process::exit(1);
    }
}
