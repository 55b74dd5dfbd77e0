//! Snapshot tests of every view at 80×24 (the smallest supported terminal) and 140×40,
//! drawn on ratatui's `TestBackend` from fixture data at a fixed time. The snapshots are
//! committed under `tests/snapshots/`; a change in a screen shows up as a diff to review.

mod support;

use nexus_tui::app::{ApiResult, Input, LiveMsg, ViewId};
use nexus_tui::keys::Key;
use support::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (140, 40)];

fn snap_all(name: &str, app: &mut nexus_tui::app::App) {
    for (w, h) in SIZES {
        let text = screen(app, w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), text);
    }
}

/// The 80×24 screen shows every one of `texts`.
fn shows_at_80x24(app: &mut nexus_tui::app::App, texts: &[&str]) {
    let text = screen(app, 80, 24);
    for t in texts {
        assert!(text.contains(t), "{t}:\n{text}");
    }
}

#[test]
fn login_screen() {
    let mut app = nexus_tui::app::App::new("http://127.0.0.1:3000", false, now());
    type_text(&mut app, "admin@nexusoms.com");
    keys(&mut app, &[Key::Tab]);
    type_text(&mut app, "secret");
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("••••••"), "the password is masked:\n{text}");
    assert!(
        !text.contains("secret"),
        "the password never shows:\n{text}"
    );
    snap_all("login", &mut app);
}

#[test]
fn dashboard_view() {
    let mut app = app();
    shows_at_80x24(&mut app, &["NexusOMS · Dashboard", "Credit"]);
    snap_all("dashboard", &mut app);
}

#[test]
fn orders_view_list_detail_and_steps() {
    let mut app = app();
    app.handle(Input::Key(Key::Char('o')));
    assert_eq!(app.view, ViewId::Orders);
    snap_all("orders_list", &mut app);

    // Detail of the first order, with the steps an admin may take.
    app.handle(Input::Key(Key::Enter));
    app.handle(Input::Api(ApiResult::Order(Ok(Box::new(detail())))));
    snap_all("orders_detail", &mut app);

    app.handle(Input::Key(Key::Char('t')));
    snap_all("orders_steps", &mut app);

    // Put on hold: the form asks for the reason, then the confirmation shows the body.
    keys(&mut app, &[Key::Down, Key::Enter]);
    snap_all("orders_form", &mut app);
    keys(&mut app, &[Key::Enter]);
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("Reason is required"), "{text}");
    type_text(&mut app, "awaiting payment");
    keys(&mut app, &[Key::Enter]);
    snap_all("orders_confirm", &mut app);
}

/// A server that stopped counting (`X-Total-Count-Exact: false`) gives a lower bound: the
/// title says "or more" for the orders and the pages.
#[test]
fn orders_title_marks_a_lower_bound_total() {
    let mut app = app();
    app.handle(Input::Key(Key::Char('o')));
    app.handle(Input::Api(ApiResult::Orders {
        query: Default::default(),
        result: Ok((
            orders(),
            nexus_tui::api::ListTotal {
                count: 1_500,
                lower_bound: true,
            },
        )),
    }));
    shows_at_80x24(&mut app, &["Orders 7/1500+ · page 1/3+"]);
}

/// The detail's line table fits its pane at 80×24 (the detail alone) and at 120×36 (beside
/// the list, where the Total column used to wrap onto a row of its own): each line's total
/// is on the line's own row.
#[test]
fn order_detail_lines_fit_at_80x24_and_120x36() {
    let mut app = app();
    app.handle(Input::Key(Key::Char('o')));
    app.handle(Input::Key(Key::Enter));
    app.handle(Input::Api(ApiResult::Order(Ok(Box::new(detail())))));
    for (w, h) in [(80, 24), (120, 36)] {
        let text = screen(&mut app, w, h);
        for (product, total) in [
            ("Frozen Vannamei", "4,500.00"),
            ("Basa Fillet 1kg", "500.00"),
        ] {
            let row = text
                .lines()
                .find(|l| l.contains(product))
                .unwrap_or_else(|| panic!("{product} at {w}x{h}:\n{text}"));
            assert!(
                row.trim_end_matches('│').trim_end().ends_with(total),
                "{product}'s total on its row at {w}x{h}:\n{text}"
            );
        }
        let header = text.lines().find(|l| l.contains("Qty")).unwrap();
        assert!(header.contains("Total"), "{w}x{h}:\n{text}");
        insta::assert_snapshot!(format!("orders_detail_lines_{w}x{h}"), text);
    }
}

#[test]
fn orders_sorted_and_filtered() {
    let mut app = app();
    app.handle(Input::Key(Key::Char('o')));
    // Sort by total, descending.
    keys(&mut app, &[Key::Char('4'), Key::Char('4')]);
    let text = screen(&mut app, 80, 24);
    let first = text.lines().position(|l| l.contains("ORD-004")).unwrap();
    let last = text.lines().position(|l| l.contains("ORD-006")).unwrap();
    assert!(first < last, "largest total first:\n{text}");
    keys(&mut app, &[Key::Char('/')]);
    type_text(&mut app, "metro");
    snap_all("orders_filtered", &mut app);
}

#[test]
fn jobs_view() {
    let mut app = app();
    app.handle(Input::Key(Key::Char('j')));
    let text = screen(&mut app, 80, 24);
    assert!(
        text.contains("40%"),
        "a running job shows its progress:\n{text}"
    );
    snap_all("jobs", &mut app);
    // The failed job's detail with its error.
    keys(&mut app, &[Key::Down, Key::Enter]);
    snap_all("jobs_detail", &mut app);
}

#[test]
fn stock_view() {
    let mut app = app();
    app.handle(Input::Key(Key::Char('s')));
    snap_all("stock", &mut app);
    keys(&mut app, &[Key::Char('3')]);
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("within 30 days: 1"), "{text}");
}

#[test]
fn credit_view_with_exposure() {
    let mut app = app();
    app.handle(Input::Key(Key::Char('c')));
    snap_all("credit", &mut app);
    app.handle(Input::Key(Key::Enter));
    app.handle(Input::Api(ApiResult::Aging(Ok(aging()))));
    snap_all("credit_exposure", &mut app);
}

#[test]
fn events_view() {
    let mut app = app();
    app.handle(Input::Key(Key::Char('e')));
    snap_all("events", &mut app);
}

#[test]
fn help_and_palette_overlays() {
    let mut app = app();
    app.handle(Input::Key(Key::Char('?')));
    snap_all("help", &mut app);
    app.handle(Input::Key(Key::Esc));
    app.handle(Input::Key(Key::Char(':')));
    type_text(&mut app, "c");
    snap_all("palette", &mut app);
}

#[test]
fn read_only_and_disconnected_header() {
    let mut app = nexus_tui::app::App::new("http://127.0.0.1:3000", true, now());
    app.handle(Input::Api(ApiResult::LoggedIn(admin())));
    app.handle(Input::Live(LiveMsg::Down {
        reason: "connection lost".into(),
        retry_in: 4,
        attempt: 3,
    }));
    app.message = None;
    shows_at_80x24(&mut app, &["READ-ONLY", "retry 3 at 12:00:04"]);
    snap_all("read_only_disconnected", &mut app);
}

#[test]
fn tiny_terminals_do_not_panic() {
    let mut app = app();
    for view in ['o', 'j', 's', 'c', 'e'] {
        app.handle(Input::Key(Key::Esc));
        app.handle(Input::Key(Key::Char(view)));
        for (w, h) in [(1, 1), (20, 5), (40, 10), (300, 100)] {
            let text = screen(&mut app, w, h);
            assert_eq!(text.lines().count(), h as usize);
        }
        app.handle(Input::Key(Key::Esc));
    }
}

/// The theme promise: text colours are xterm-256 indexes (or the terminal's own), and no
/// cell paints a background, so every screen reads on light and dark terminals alike.
#[test]
fn every_screen_uses_indexed_foregrounds_and_no_backgrounds() {
    use ratatui::style::Color;
    let mut app = app();
    let views = ['o', 'j', 's', 'c', 'e'];
    let mut checked = 0;
    for view in std::iter::once(' ').chain(views) {
        app.handle(Input::Key(Key::Esc));
        if view != ' ' {
            app.handle(Input::Key(Key::Char(view)));
        }
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 30)).unwrap();
        t.draw(|f| nexus_tui::views::render(&app, f)).unwrap();
        for cell in t.backend().buffer().content() {
            assert!(
                matches!(cell.fg, Color::Reset | Color::Indexed(_)),
                "view {view}: foreground {:?}",
                cell.fg
            );
            assert_eq!(cell.bg, Color::Reset, "view {view}: a painted background");
            checked += 1;
        }
    }
    assert_eq!(checked, 6 * 120 * 30);
}
