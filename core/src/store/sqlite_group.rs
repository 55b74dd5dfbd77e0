//! Group commit for the embedded store: every write of the process goes through one writer
//! thread, which takes whatever commits are waiting (up to [`MAX_BATCH`]) and applies them
//! in one `BEGIN IMMEDIATE` transaction, each inside its own savepoint.
//!
//! Why: SQLite has one write lock. When every request opened its own `BEGIN IMMEDIATE`,
//! the losers slept in SQLite's busy handler (1, 2, 5, 10 … 100 ms back-off) while the lock
//! was free again microseconds later, and each commit paid its own WAL append of the same
//! index pages. One writer never waits on itself, and a batch writes shared pages once.
//!
//! Atomicity is per commit, as before: a commit whose write fails (a guard that no longer
//! holds, a duplicate key) is rolled back to its savepoint and reported to its caller alone;
//! the others in the batch commit. Guards are evaluated under the lock, in arrival order,
//! so a commit sees every earlier commit of its batch, exactly as if they had queued on the
//! lock. Other processes on the same file still queue on SQLite's lock (busy timeout).
//!
//! The writer runs on its own thread with its own connection (`super::sqlite_write` says
//! why), so a store outlives the runtime that opened it (tests open stores on short-lived
//! runtimes); it stops when the store is closed or the last handle to it is dropped.

use super::sqlite::{Attempt, BUSY_RETRIES, Failure};
use super::sqlite_write::{apply_write, control, sequence_block};
use super::{StoreError, StoreResult, Write};
use rusqlite::Connection;
use std::path::Path;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Commits applied in one transaction at most; bounds a batch's latency.
const MAX_BATCH: usize = 128;
/// Commits waiting for the writer before callers wait to hand theirs over.
const QUEUE: usize = 4_096;

/// What a caller hands the writer.
pub(super) enum Work {
    Commit(Vec<Write>),
    /// Reserve `step` numbers of the sequence `name`.
    Sequence {
        name: String,
        step: i64,
    },
    /// Close the connection and stop (the store is closing).
    Stop,
}

/// What the writer answers.
pub(super) enum Done {
    Committed,
    /// The first number of the reserved block.
    Sequence(u64),
    Stopped,
}

struct Job {
    work: Work,
    reply: oneshot::Sender<StoreResult<Done>>,
}

/// The handle every clone of the store shares.
#[derive(Debug, Clone)]
pub(super) struct GroupWriter {
    tx: mpsc::Sender<Job>,
}

impl GroupWriter {
    /// Opens the writer's connection to `path` and starts its thread.
    pub(super) fn start(path: &Path) -> StoreResult<GroupWriter> {
        let conn = super::sqlite_write::open(path)?;
        let (tx, rx) = mpsc::channel(QUEUE);
        std::thread::Builder::new()
            .name("nexus-sqlite-writer".into())
            .spawn(move || run(conn, rx))
            .map_err(|e| StoreError::Unavailable(format!("sqlite writer thread: {e}")))?;
        Ok(GroupWriter { tx })
    }

    pub(super) async fn submit(&self, work: Work) -> StoreResult<Done> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Job { work, reply })
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// Closes the writer's connection once the commits handed over before are done; later
    /// commits fail as the store is closed.
    pub(super) async fn stop(&self) {
        // Already stopped is as good.
        let _ = self.submit(Work::Stop).await;
    }
}

fn stopped() -> StoreError {
    StoreError::Unavailable("sqlite: the writer stopped (the store is closing)".into())
}

fn run(conn: Connection, mut rx: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.blocking_recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let stop = batch.iter().position(|j| matches!(j.work, Work::Stop));
        let later = stop.map(|at| batch.split_off(at)).unwrap_or_default();
        let results = commit_batch(&conn, &batch);
        for (job, result) in batch.drain(..).zip(results) {
            // A caller that gave up (its request was cancelled) no longer listens.
            let _ = job.reply.send(result);
        }
        if !later.is_empty() {
            drop(conn);
            rx.close();
            for job in later {
                let _ = job.reply.send(match job.work {
                    Work::Stop => Ok(Done::Stopped),
                    _ => Err(stopped()),
                });
            }
            // Whatever was queued behind the stop is refused with the store closed.
            while let Ok(job) = rx.try_recv() {
                let _ = job.reply.send(Err(stopped()));
            }
            return;
        }
    }
}

/// One result per job, retrying the whole batch while another process holds the lock.
fn commit_batch(conn: &Connection, jobs: &[Job]) -> Vec<StoreResult<Done>> {
    if jobs.is_empty() {
        return Vec::new();
    }
    let mut attempt = 0;
    loop {
        attempt += 1;
        let outcome = attempt_batch(conn, jobs);
        if !conn.is_autocommit() {
            // A failed attempt left its transaction open: undo all of it.
            let _ = control(conn, "ROLLBACK");
        }
        match outcome {
            Ok(results) => return results,
            Err(Failure::Busy) if attempt < BUSY_RETRIES => {
                // Another process holds the lock (SQLite's busy timeout already waited);
                // back off before the whole batch is tried again.
                std::thread::sleep(Duration::from_millis(5 * u64::from(attempt)));
            }
            Err(Failure::Busy) => {
                return jobs
                    .iter()
                    .map(|_| {
                        Err(StoreError::Unavailable(
                            "sqlite: the database stayed locked; is another process holding it?"
                                .into(),
                        ))
                    })
                    .collect();
            }
            Err(Failure::Store(e)) => return jobs.iter().map(|_| Err(e.clone())).collect(),
        }
    }
}

fn attempt_batch(conn: &Connection, jobs: &[Job]) -> Attempt<Vec<StoreResult<Done>>> {
    control(conn, "BEGIN IMMEDIATE")?;
    let mut results = Vec::with_capacity(jobs.len());
    for job in jobs {
        control(conn, "SAVEPOINT nexus_commit")?;
        match run_work(conn, &job.work) {
            Ok(done) => {
                control(conn, "RELEASE nexus_commit")?;
                results.push(Ok(done));
            }
            Err(Failure::Busy) => return Err(Failure::Busy),
            Err(Failure::Store(e)) => {
                control(conn, "ROLLBACK TO nexus_commit")?;
                control(conn, "RELEASE nexus_commit")?;
                results.push(Err(e));
            }
        }
    }
    control(conn, "COMMIT")?;
    Ok(results)
}

fn run_work(conn: &Connection, work: &Work) -> Attempt<Done> {
    match work {
        Work::Commit(writes) => {
            for w in writes {
                apply_write(conn, w)?;
            }
            Ok(Done::Committed)
        }
        Work::Sequence { name, step } => sequence_block(conn, name, *step).map(Done::Sequence),
        Work::Stop => Ok(Done::Stopped),
    }
}
