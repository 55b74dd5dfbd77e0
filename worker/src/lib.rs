//! `nexus-worker` as a library: the job bodies the worker binary runs. The queue and the
//! runner (attempts, backoff, job records, events) live with the binary; what is here is
//! pure work over the store port, so it is tested against a real SQLite store.
//!
//! * [`imports`]: the spreadsheet imports — bulk orders, material master, customer / OD
//!   master, distributor prices — behind one entry point, [`run_import`].

pub mod imports;

pub use imports::{ImportContext, ImportError, ImportOutcome, Inspection, inspect, run_import};
