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
//! The writer runs on its own thread and runtime, so a store outlives the runtime that
//! opened it (tests open stores on short-lived runtimes); it stops when the last handle to
//! the store is dropped.

use super::sqlite::{Attempt, BUSY_RETRIES, Failure, apply_write, classify, sequence_block};
use super::{StoreError, StoreResult, Write};
use sqlx::SqlitePool;
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
}

/// What the writer answers.
pub(super) enum Done {
    Committed,
    /// The first number of the reserved block.
    Sequence(u64),
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
    pub(super) fn start(pool: SqlitePool) -> StoreResult<GroupWriter> {
        let (tx, rx) = mpsc::channel(QUEUE);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| StoreError::Unavailable(format!("sqlite writer runtime: {e}")))?;
        std::thread::Builder::new()
            .name("nexus-sqlite-writer".into())
            .spawn(move || runtime.block_on(run(pool, rx)))
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
}

fn stopped() -> StoreError {
    StoreError::Unavailable("sqlite: the writer stopped (the store is closing)".into())
}

async fn run(pool: SqlitePool, mut rx: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let results = commit_batch(&pool, &batch).await;
        for (job, result) in batch.drain(..).zip(results) {
            // A caller that gave up (its request was cancelled) no longer listens.
            let _ = job.reply.send(result);
        }
    }
}

/// One result per job, retrying the whole batch while another process holds the lock.
async fn commit_batch(pool: &SqlitePool, jobs: &[Job]) -> Vec<StoreResult<Done>> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match attempt_batch(pool, jobs).await {
            Ok(results) => return results,
            Err(Failure::Busy) if attempt < BUSY_RETRIES => {
                tokio::time::sleep(Duration::from_millis(5 * u64::from(attempt))).await;
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

async fn attempt_batch(pool: &SqlitePool, jobs: &[Job]) -> Attempt<Vec<StoreResult<Done>>> {
    let mut tx = pool
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(|e| classify(e, None))?;
    let mut results = Vec::with_capacity(jobs.len());
    for job in jobs {
        savepoint(&mut tx, "SAVEPOINT nexus_commit").await?;
        match run_work(&mut tx, &job.work).await {
            Ok(done) => {
                savepoint(&mut tx, "RELEASE nexus_commit").await?;
                results.push(Ok(done));
            }
            Err(Failure::Busy) => return Err(Failure::Busy),
            Err(Failure::Store(e)) => {
                savepoint(&mut tx, "ROLLBACK TO nexus_commit").await?;
                savepoint(&mut tx, "RELEASE nexus_commit").await?;
                results.push(Err(e));
            }
        }
    }
    tx.commit().await.map_err(|e| classify(e, None))?;
    Ok(results)
}

async fn savepoint(conn: &mut sqlx::SqliteConnection, statement: &'static str) -> Attempt<()> {
    sqlx::query(statement)
        .execute(&mut *conn)
        .await
        .map(|_| ())
        .map_err(|e| classify(e, None))
}

async fn run_work(conn: &mut sqlx::SqliteConnection, work: &Work) -> Attempt<Done> {
    match work {
        Work::Commit(writes) => {
            for w in writes {
                apply_write(conn, w).await?;
            }
            Ok(Done::Committed)
        }
        Work::Sequence { name, step } => {
            sequence_block(conn, name, *step).await.map(Done::Sequence)
        }
    }
}
