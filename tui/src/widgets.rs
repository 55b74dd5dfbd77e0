//! Small drawing helpers shared by the views: a scrolling window over long lists (only the
//! visible rows are built, which keeps a 10,000-order frame cheap), popups, text bars and
//! number formatting.

use ratatui::layout::{Constraint, Flex, Layout, Rect};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use std::cell::Cell;

/// A list's scroll position: kept between frames so the selection moves within a stable
/// window instead of re-centring on every key.
#[derive(Debug, Default, Clone)]
pub struct Scroll {
    offset: Cell<usize>,
    height: Cell<usize>,
}

impl Scroll {
    /// The visible range for `sel` among `len` rows in `height` lines.
    pub fn window(&self, sel: usize, len: usize, height: usize) -> (usize, usize) {
        self.height.set(height);
        let height = height.max(1);
        let mut off = self.offset.get().min(len.saturating_sub(1));
        if sel < off {
            off = sel;
        } else if sel >= off + height {
            off = sel + 1 - height;
        }
        // No empty space below the last row when the list shrank.
        off = off.min(len.saturating_sub(height));
        self.offset.set(off);
        (off, (off + height).min(len))
    }

    /// Rows in a page (as last drawn).
    pub fn page(&self) -> usize {
        self.height.get().max(1)
    }
}

/// The cursor move a list key asks for, applied to `sel` among `len` rows.
pub fn move_sel(key: crate::keys::Key, sel: usize, len: usize, page: usize) -> Option<usize> {
    use crate::keys::Key;
    if len == 0 {
        return None;
    }
    let last = len - 1;
    let next = match key {
        Key::Up | Key::Char('k') => sel.saturating_sub(1),
        Key::Down | Key::Char('j') => (sel + 1).min(last),
        Key::PageUp | Key::Ctrl('u') => sel.saturating_sub(page),
        Key::PageDown | Key::Ctrl('d') => (sel + page).min(last),
        Key::Home | Key::Char('g') => 0,
        Key::End | Key::Char('G') => last,
        _ => return None,
    };
    Some(next)
}

/// A centred popup of at most `w`×`h` inside `area`.
pub fn popup(area: Rect, w: u16, h: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(h.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [r] = Layout::horizontal([Constraint::Length(w.min(area.width))])
        .flex(Flex::Center)
        .areas(v);
    r
}

/// A progress bar drawn with text, for table cells: `█████░░░░░  50%`. The bar stops at
/// full; the figure does not (a credit limit used 120 % reads `██████████ 120%`). The share
/// is exact (a decimal, never a float): the cells fill rounding half away from zero, the
/// figure rounds half to even (22.5 % reads `22%`), as the float figure it replaced did.
pub fn bar(share: Decimal, width: usize) -> String {
    let share = share.max(Decimal::ZERO);
    let full = (share.min(Decimal::ONE) * Decimal::from(width))
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_usize()
        .unwrap_or(width)
        .min(width);
    let pct = share
        .saturating_mul(Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(0, RoundingStrategy::MidpointNearestEven);
    format!(
        "{}{} {:>3}%",
        "█".repeat(full),
        "░".repeat(width - full),
        pct.to_string()
    )
}

/// Money with thousands separators and two decimals: `1,23,456.50` is the Indian form, but
/// operators read exports in the international one, so that is used: `123,456.50`. The
/// amount is exact (money is read as a decimal, never a float) and rounded half away from
/// zero to the paisa, as invoices are.
pub fn amount(d: Decimal) -> String {
    let r = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let neg = r.is_sign_negative() && !r.is_zero();
    let text = format!("{:.2}", r.abs());
    let (digits, frac) = text.split_once('.').unwrap_or((text.as_str(), "00"));
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    format!("{}{out}.{frac}", if neg { "-" } else { "" })
}

/// A stock quantity as plain text without trailing zeros: `120`, `12.5`, `-3`.
pub fn quantity(d: Decimal) -> String {
    d.normalize().to_string()
}

/// Whether a list row passes the `/` filter: `needle` (already lower-cased) is empty or some
/// field contains it, ignoring case.
pub fn text_matches(needle: &str, fields: &[&str]) -> bool {
    needle.is_empty() || fields.iter().any(|f| f.to_lowercase().contains(needle))
}

/// Cuts a string to `n` characters, marking the cut with `…`.
pub fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else if n == 0 {
        String::new()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Key;

    #[test]
    fn the_window_follows_the_selection() {
        let s = Scroll::default();
        assert_eq!(s.window(0, 100, 10), (0, 10));
        assert_eq!(s.window(9, 100, 10), (0, 10));
        assert_eq!(s.window(10, 100, 10), (1, 11));
        assert_eq!(s.window(3, 100, 10), (1, 11));
        assert_eq!(s.window(0, 100, 10), (0, 10));
        assert_eq!(s.window(99, 100, 10), (90, 100));
        assert_eq!(s.window(2, 5, 10), (0, 5));
        assert_eq!(s.window(0, 0, 10), (0, 0));
    }

    #[test]
    fn list_keys_move_within_bounds() {
        assert_eq!(move_sel(Key::Down, 4, 5, 10), Some(4));
        assert_eq!(move_sel(Key::Char('k'), 0, 5, 10), Some(0));
        assert_eq!(move_sel(Key::PageDown, 0, 50, 10), Some(10));
        assert_eq!(move_sel(Key::Char('G'), 0, 50, 10), Some(49));
        assert_eq!(move_sel(Key::Char('x'), 0, 50, 10), None);
        assert_eq!(move_sel(Key::Down, 0, 0, 10), None);
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(amount(Decimal::from(5285)), "5,285.00");
        assert_eq!(amount(Decimal::new(-1_234_567_891, 3)), "-1,234,567.89");
        assert_eq!(amount(Decimal::new(5, 1)), "0.50");
        assert_eq!(amount(Decimal::new(-1, 3)), "0.00");
        assert_eq!(amount(Decimal::new(123_456, 2)), "1,234.56");
        assert_eq!(quantity(Decimal::new(12_050, 2)), "120.5");
        assert_eq!(quantity(Decimal::new(1_200, 1)), "120");
        assert_eq!(quantity(Decimal::from(-3)), "-3");
        assert_eq!(amount(Decimal::new(5_285_505, 3)), "5,285.51");
        assert_eq!(amount(Decimal::new(1_000_000, 0)), "1,000,000.00");
        let share = |n: i64, scale: u32| Decimal::new(n, scale);
        assert_eq!(bar(share(5, 1), 4), "██░░  50%");
        assert_eq!(bar(share(12, 1), 4), "████ 120%");
        assert_eq!(bar(Decimal::ZERO, 4), "░░░░   0%");
        assert_eq!(bar(share(-3, 1), 4), "░░░░   0%");
        // Exact halves: the figure to even, the cells away from zero.
        assert_eq!(bar(share(225, 3), 8), "██░░░░░░  22%");
        assert_eq!(bar(share(235, 3), 8), "██░░░░░░  24%");
        assert_eq!(bar(share(125, 3), 4), "█░░░  12%");
        assert_eq!(bar(share(375, 3), 4), "██░░  38%");
        // A share too large to hold as a percentage still draws (full, the largest figure).
        assert!(bar(Decimal::MAX, 4).starts_with("████ 79228"));
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(cut("abc", 4), "abc");
    }
}
