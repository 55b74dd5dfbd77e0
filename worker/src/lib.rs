//! `nexus-worker`: runs every slow or external job on apalis (Redis in production, an SQLite
//! queue file when embedded, where `nexus-api` runs the same service in-process).
//!
//! * [`imports`]: the spreadsheet imports — bulk orders, material master, customer / OD
//!   master, distributor prices — behind one entry point, [`run_import`]; pure work over
//!   the store port, tested against a real SQLite store.
//! * [`runner`], [`queue`], [`service`]: job records with claims, leases, progress, retries
//!   with backoff and the dead state; the apalis transports; the worker process's parts.
//! * [`expiry_scan`]: the daily and on-demand expiry scan; `distance_job` and `work`'s credit
//!   insight: the enrichment jobs that price a route and advise on credit.
//! * [`startup`]: the shared services (store, files, events, queue) every process connects
//!   to, built once from the configuration, for this binary and for `nexus-api`.

mod distance_job;
pub mod expiry_scan;
mod import_job;
pub mod imports;
pub mod queue;
pub mod runner;
pub mod service;
pub mod startup;
pub mod work;

pub use imports::{ImportContext, ImportError, ImportOutcome, Inspection, inspect, run_import};
pub use queue::Transport;
pub use runner::{Runner, WorkerDeps};
