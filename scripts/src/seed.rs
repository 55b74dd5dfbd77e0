//! `seed`: the demo data set of `nexus_core::seed`, with one line per document and a
//! per-collection summary.

use crate::progress::Progress;
use crate::target::Target;
use nexus_core::seed::{self, SeedOptions, SeedOutcome};
use std::process::ExitCode;

pub async fn run(target: &Target, cost: u32) -> anyhow::Result<ExitCode> {
    out!("Database: {}", target.describe());
    let store = target.open().await?;
    // The documents the seed looks up by key need the unique indexes anyway.
    store.ensure_indexes().await?;
    let opts = SeedOptions {
        bcrypt_cost: cost,
        ..SeedOptions::default()
    };
    let bar = Progress::bar(seed::planned_len(&opts) as u64, "seed");
    bar.message("hashing demo passwords");
    let report = seed::seed_demo_with_progress(store.as_ref(), &opts, &mut |item| {
        let mark = match item.outcome {
            SeedOutcome::Created => "✅",
            SeedOutcome::Skipped => "⏭️ ",
        };
        bar.println(format!("{mark} {item}"));
        bar.message(item.key.clone());
        bar.inc(1);
    })
    .await?;
    bar.finish();

    out!("────────────────────────────────────────");
    out!("{:<24} {:>8} {:>8}", "collection", "created", "skipped");
    for (c, created, skipped) in report.by_collection() {
        out!("{:<24} {created:>8} {skipped:>8}", c.name());
    }
    out!(
        "{:<24} {:>8} {:>8}",
        "total",
        report.created(),
        report.skipped()
    );
    if report.created() == 0 {
        out!("Nothing to do: the demo data is already there.");
    } else {
        out!("✅ Sample data seeding complete!");
        out!(
            "Demo logins (change them: every demo account must set a new password): \
             admin@nexusoms.com / admin123, rajesh@nexusoms.com / sales123, \
             amit@nexusoms.com / credit123; every other role: <ID> / <role>123 \
             (role in lower case without spaces, e.g. QC-001 / qchead123)"
        );
    }
    Ok(ExitCode::SUCCESS)
}
