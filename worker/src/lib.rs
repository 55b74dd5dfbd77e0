//! `nexus-worker`: runs every slow or external job (bulk Excel imports, master-data imports,
//! scheduled expiry scans) on apalis: Redis in production, an SQLite queue file when
//! embedded, where `nexus-api` runs the same service in-process.

pub mod expiry_scan;
mod import_job;
pub mod queue;
pub mod runner;
pub mod service;
pub mod work;

pub use queue::Transport;
pub use runner::{Runner, WorkerDeps};
