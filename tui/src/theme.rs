//! The console's colours: 256-colour indexed, chosen to read on light and dark terminals.
//!
//! Why these: a console used in warehouses and offices runs on whatever terminal is there,
//! white or black. The palette never paints large backgrounds (the terminal's own stays),
//! uses mid-luminance xterm-256 indexes for text (contrast ≥ 3:1 against both #000 and #fff
//! for blue 31, green 28, orange 166, red 160, grey 244, purple 133) and shows the selection
//! by reversing video, which every terminal renders legibly in its own colours.

use nexus_core::model::{JobStatus, OrderStatus};
use ratatui::style::{Color, Modifier, Style};

/// xterm-256 index of each role.
pub mod ix {
    pub const ACCENT: u8 = 31; // #0087af blue
    pub const OK: u8 = 28; // #008700 green
    pub const WARN: u8 = 166; // #d75f00 orange
    pub const BAD: u8 = 160; // #d70000 red
    pub const MUTED: u8 = 244; // #808080 grey
    pub const INFO: u8 = 133; // #af5faf purple
}

pub fn fg(i: u8) -> Style {
    Style::new().fg(Color::Indexed(i))
}

pub fn accent() -> Style {
    fg(ix::ACCENT)
}
pub fn ok() -> Style {
    fg(ix::OK)
}
pub fn warn() -> Style {
    fg(ix::WARN)
}
pub fn bad() -> Style {
    fg(ix::BAD)
}
pub fn muted() -> Style {
    fg(ix::MUTED)
}
pub fn info() -> Style {
    fg(ix::INFO)
}
pub fn title() -> Style {
    accent().add_modifier(Modifier::BOLD)
}
pub fn header() -> Style {
    Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
}
pub fn selected() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}
pub fn key() -> Style {
    accent().add_modifier(Modifier::BOLD)
}

/// The colour of an order status by where it stands: closed badly, closed well, waiting
/// on a person, moving. A status this build does not know is shown as moving.
pub fn status(status: Option<OrderStatus>) -> Style {
    use OrderStatus::*;
    match status {
        Some(Rejected | Cancelled | ReturnedToWarehouse) => bad(),
        Some(Delivered | PartAccepted) => ok(),
        Some(OnHold | PendingAdminReview | Backorder) => warn(),
        Some(PendingCreditApproval) => info(),
        Some(
            PendingWhSelection
            | PendingPacking
            | PartPacked
            | PendingQualityControl
            | PendingLogisticsCost
            | ReadyForBilling
            | ReadyForDispatch
            | InTransit
            | OutForDelivery,
        )
        | None => accent(),
    }
}

/// Expiry colouring: red under 30 days, orange under 60, green to 90 and beyond (the
/// API's `RED`/`AMBER`/`GREEN` bands, rules::expiry).
pub fn expiry(days: i64) -> Style {
    if days < 30 {
        bad()
    } else if days < 60 {
        warn()
    } else {
        ok()
    }
}

/// Job status colour; a status this build does not know (`None`) is muted.
pub fn job(status: Option<JobStatus>) -> Style {
    match status {
        Some(JobStatus::Failed | JobStatus::Dead) => bad(),
        Some(JobStatus::Cancelled) => warn(),
        Some(JobStatus::Succeeded) => ok(),
        Some(JobStatus::Running) => accent(),
        Some(JobStatus::Queued) | None => muted(),
    }
}
