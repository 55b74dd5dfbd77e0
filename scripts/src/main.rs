//! `nexus-admin`: operations on a NexusOMS database — indexes, demo data, password
//! migration, export/import in mongoexport's format, and SQLite backup/restore.
//!
//! The database is chosen like the API chooses it: `MONGODB_URI` (with `NEXUS_MONGODB_DB`)
//! selects MongoDB; otherwise the SQLite file at `--db PATH`, `NEXUS_DB_PATH`, or
//! `./data/nexus.db`. Every command is idempotent; long work shows a progress bar on a
//! terminal and every command ends with a summary.

/// `println!` that never panics: when stdout is closed (`nexus-admin … | head`), the work
/// goes on and the output is dropped, rather than aborting half-way through a migration.
macro_rules! out {
    ($($t:tt)*) => {
        $crate::emit(::std::format_args!($($t)*))
    };
}

pub(crate) fn emit(args: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stdout().lock(), "{args}");
}

mod backup;
mod ext_json;
mod indexes;
mod passwords;
mod progress;
mod seed;
mod target;
mod transfer;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "nexus-admin", version, about, long_about = None)]
struct Cli {
    /// SQLite database file (ignored when MONGODB_URI is set).
    #[arg(long, global = true, env = "NEXUS_DB_PATH", value_name = "PATH")]
    db: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create the catalogue's indexes that do not exist yet.
    CreateIndexes,
    /// Create the demo data set (existing documents are never changed).
    Seed {
        /// bcrypt cost for the demo passwords.
        #[arg(long, env = "NEXUS_BCRYPT_COST", default_value_t = 12, value_parser = clap::value_parser!(u32).range(4..=31))]
        cost: u32,
    },
    /// Hash every plaintext password with bcrypt (existing bcrypt hashes are left alone).
    MigratePasswords {
        /// Report what would be migrated without changing anything.
        #[arg(long)]
        dry_run: bool,
        /// bcrypt cost for the new hashes.
        #[arg(long, env = "NEXUS_BCRYPT_COST", default_value_t = 12, value_parser = clap::value_parser!(u32).range(4..=31))]
        cost: u32,
    },
    /// Write every collection as mongoexport-style JSON lines (DIR/<collection>.json).
    Export {
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Only these collections (comma-separated names, e.g. users,orders).
        #[arg(long, value_delimiter = ',')]
        collections: Vec<String>,
    },
    /// Load DIR/<collection>.json files written by `export` or mongoexport (upsert by key).
    Import {
        #[arg(long, value_name = "DIR")]
        from: PathBuf,
        /// Only these collections (comma-separated names).
        #[arg(long, value_delimiter = ',')]
        collections: Vec<String>,
        /// Delete each imported collection's documents first.
        #[arg(long)]
        drop: bool,
    },
    /// Online backup of the SQLite database (VACUUM INTO), verified with integrity_check.
    Backup {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Restore the SQLite database from a backup file (the API must be stopped).
    Restore {
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
    },
}

fn main() -> ExitCode {
    let _ = dotenvy::dotenv();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("NEXUS_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,sqlx::query=error")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let target = target::Target::resolve(cli.db)?;
    let result = dispatch(&target, cli.command).await;
    target.close().await;
    result
}

async fn dispatch(target: &target::Target, command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::CreateIndexes => indexes::run(target).await,
        Command::Seed { cost } => seed::run(target, cost).await,
        Command::MigratePasswords { dry_run, cost } => passwords::run(target, dry_run, cost).await,
        Command::Export { out, collections } => transfer::export(target, &out, &collections).await,
        Command::Import {
            from,
            collections,
            drop,
        } => transfer::import(target, &from, &collections, drop).await,
        Command::Backup { out, force } => backup::backup(target, &out, force).await,
        Command::Restore { from } => backup::restore(target, &from).await,
    }
}
