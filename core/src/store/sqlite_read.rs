//! The embedded store's reads: a few connections of its own, each used by one read at a
//! time on the thread that asked.
//!
//! Why not the pool's async driver: sqlx runs each SQLite connection on a worker thread, and
//! every statement is a hand-over to it and back (two thread wake-ups), then one more per
//! batch of rows. A booking reads six times (the user, the customer, the products, the last
//! rates, the credit position, the open orders) and a list twice (the page, the bounded
//! count); measured on the writer, the hand-over alone was 180 µs of a 300 µs round trip.
//! Reads here are a function call: short ones (a page, a key, a bounded count) run on the
//! runtime's thread like any other computation of that size; long ones (an unbounded read
//! or count) tell the runtime first (`block_in_place`), so its other tasks move elsewhere.

use super::sqlite::BUSY_TIMEOUT;
use super::{StoreError, StoreResult};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Idle connections kept for the next reads; more are opened while more reads run at once.
const IDLE: usize = 8;
/// Prepared statements kept per connection (each list filter and sort is its own text).
const STATEMENT_CACHE: usize = 128;

#[derive(Debug)]
pub(super) struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    closed: AtomicBool,
}

/// How long a read may take, which decides where it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Length {
    /// Bounded by a page, a key or a cap.
    Short,
    /// Unbounded: a whole collection may be read.
    Long,
}

impl Readers {
    pub(super) fn new(path: &Path) -> Readers {
        Readers {
            path: path.to_path_buf(),
            idle: Mutex::new(Vec::new()),
            closed: AtomicBool::new(false),
        }
    }

    /// Runs `read` on an idle connection (opening one when none is idle).
    pub(super) fn run<T>(
        &self,
        length: Length,
        read: impl FnOnce(&Connection) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let conn = self.take()?;
        let multi_thread = tokio::runtime::Handle::try_current()
            .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
        let out = if length == Length::Long && multi_thread {
            tokio::task::block_in_place(|| read(&conn))
        } else {
            read(&conn)
        };
        self.give(conn);
        out
    }

    /// Closes the idle connections and refuses further reads.
    pub(super) fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        self.idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn take(&self) -> StoreResult<Connection> {
        if self.closed.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable(
                "sqlite: the store is closed".into(),
            ));
        }
        if let Some(c) = self.lock().pop() {
            return Ok(c);
        }
        self.open()
    }

    fn give(&self, conn: Connection) {
        if self.closed.load(Ordering::SeqCst) {
            return;
        }
        let mut idle = self.lock();
        if idle.len() < IDLE {
            idle.push(conn);
        }
    }

    fn open(&self) -> StoreResult<Connection> {
        let unavailable = |e: rusqlite::Error| {
            StoreError::Unavailable(format!("cannot open {}: {e}", self.path.display()))
        };
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(unavailable)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(unavailable)?;
        // Writes go through the group writer only.
        conn.pragma_update(None, "query_only", "ON")
            .map_err(unavailable)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(conn)
    }
}
