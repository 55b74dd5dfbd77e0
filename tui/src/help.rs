//! Every key the console knows, by where it works. The `?` overlay is drawn from this table,
//! so the help cannot drift from a second list kept by hand.

/// Where the keys work, then each key with what it does there.
pub const KEYS: &[(&str, &[(&str, &str)])] = &[
    (
        "Everywhere",
        &[
            ("?", "this help (j/k scroll, any other key closes)"),
            (
                ":",
                "command palette: views, order filters, reload, logout, quit",
            ),
            (
                "/",
                "filter the current view as you type (Enter keeps, Esc clears)",
            ),
            ("Tab / Shift-Tab", "next / previous view"),
            (
                "Esc / q",
                "back: close the detail, then the previous view; q quits at the start",
            ),
            ("Ctrl-R", "refetch everything"),
            ("Ctrl-C", "quit"),
        ],
    ),
    (
        "Lists",
        &[
            ("↑↓ / k j", "move"),
            ("PgUp PgDn / Ctrl-U Ctrl-D", "page"),
            ("Home End / g G", "first / last"),
            ("Enter", "detail"),
        ],
    ),
    (
        "Dashboard",
        &[("o j s c e", "open Orders, Jobs, Stock, Credit, Events")],
    ),
    (
        "Orders",
        &[
            ("1-6", "sort by column (again: reverse)"),
            (
                "t",
                "the steps the server offers you on the order (open it first to pack or edit)",
            ),
            ("r", "reload the list with the current filters"),
            ("[ ]", "previous / next page of 500 orders from the server"),
        ],
    ),
    ("Steps", &[("1-9 / Enter", "choose a step")]),
    (
        "Form",
        &[
            ("Tab ↑↓", "next / previous field; Space toggles yes/no"),
            ("Enter", "check the fields, then confirm"),
        ],
    ),
    ("Confirm", &[("y / n", "send / go back")]),
    (
        "Jobs",
        &[
            ("r", "retry a failed, dead or cancelled job"),
            ("c", "cancel a queued or running job"),
            ("d", "download link of the job's report"),
        ],
    ),
    (
        "Stock",
        &[
            ("← → / h l", "expiring batches / packaging below MOQ"),
            ("3 6 9", "expiry window: 30, 60 or 90 days"),
        ],
    ),
    (
        "Credit",
        &[("Enter", "exposure and ageing of the customer")],
    ),
    (
        "Events",
        &[
            ("t", "topic: all, orders, jobs, stock, alerts"),
            ("c", "clear the stream"),
        ],
    ),
    ("Login", &[("Tab / Enter", "next field / sign in")]),
];
