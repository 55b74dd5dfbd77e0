//! The `:` command palette: what can be typed, and the suggestions for a prefix.

/// A palette command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaletteCommand {
    pub name: &'static str,
    pub args: &'static str,
    pub help: &'static str,
}

const fn c(name: &'static str, args: &'static str, help: &'static str) -> PaletteCommand {
    PaletteCommand { name, args, help }
}

pub const COMMANDS: &[PaletteCommand] = &[
    c(
        "dashboard",
        "",
        "orders per stage, orders/hour, jobs, alerts",
    ),
    c("orders", "", "order list with detail and lifecycle steps"),
    c(
        "jobs",
        "",
        "background jobs: progress, retry, cancel, reports",
    ),
    c("stock", "", "batches by expiry, packaging below MOQ"),
    c("credit", "", "customer exposure against limit, ageing"),
    c("events", "", "the live event stream"),
    c("status", "<status>", "orders in one status (empty: all)"),
    c("customer", "<id>", "orders of one customer (empty: all)"),
    c("sales", "<id>", "orders of one salesperson (empty: all)"),
    c("clear", "", "drop every order filter (back to page 1)"),
    c("reload", "", "refetch everything"),
    c("help", "", "every key"),
    c("logout", "", "forget the token and sign in again"),
    c("quit", "", "leave the console"),
];

/// The commands whose name starts with the first word typed.
pub fn matches(text: &str) -> Vec<&'static PaletteCommand> {
    let word = text
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    COMMANDS
        .iter()
        .filter(|c| c.name.starts_with(&word))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_narrow_the_list() {
        assert_eq!(matches("").len(), COMMANDS.len());
        let names: Vec<_> = matches("c").iter().map(|c| c.name).collect();
        assert_eq!(names, vec!["credit", "customer", "clear"]);
        assert_eq!(matches("status Delivered")[0].name, "status");
        assert!(matches("zzz").is_empty());
    }
}
