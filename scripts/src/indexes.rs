//! `create-indexes` (seed-tasks.md TASK 6, api.md §6.2): the store's index catalogue,
//! created where missing. Unlike the legacy script it never aborts half-way on an index
//! whose options conflict with an existing one; it reports the conflict and goes on.

use crate::progress::Progress;
use crate::target::Target;
use std::process::ExitCode;

pub async fn run(target: &Target) -> anyhow::Result<ExitCode> {
    out!("Database: {}", target.describe());
    let store = target.open().await?;
    let spinner = Progress::spinner("indexes");
    spinner.message("checking the index catalogue");
    let report = store.ensure_indexes().await?;
    spinner.finish();

    for name in &report.created {
        out!("✅ created: {name}");
    }
    for name in &report.existing {
        out!("⏭️  already present: {name}");
    }
    for c in &report.conflicts {
        out!("⚠️  conflict (left as found): {c}");
    }
    for name in &report.dropped {
        out!("🗑️  dropped (retired by the catalogue): {name}");
    }
    out!("────────────────────────────────────────");
    out!("Created: {} indexes", report.created.len());
    out!("Already present: {} indexes", report.existing.len());
    out!("Conflicts: {} indexes", report.conflicts.len());
    out!(
        "Total: {} indexes",
        report.created.len() + report.existing.len() + report.conflicts.len()
    );
    if report.created.is_empty() {
        out!("Nothing to do: every index of the catalogue is already present.");
    } else {
        out!("✅ {} new indexes created.", report.created.len());
    }
    Ok(if report.conflicts.is_empty() {
        ExitCode::SUCCESS
    } else {
        // Conflicts need a person: a non-zero exit makes a deploy script stop and show them.
        ExitCode::from(3)
    })
}
