//! The apalis transports behind [`JobQueue`]: an SQLite queue file when embedded, Redis in
//! production. Both carry only [`JobTicket`]s; the job record in the store is the truth
//! (see `nexus_core::jobs`).

use apalis::prelude::*;
use apalis_redis::RedisStorage;
use apalis_sqlite::{SqlitePool, SqliteStorage};
use async_trait::async_trait;
use nexus_core::config::Config;
use nexus_core::jobs::{JobQueue, JobTicket, QueueError};
use secrecy::ExposeSecret;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// The queue name on either backend.
pub const QUEUE_NAME: &str = "nexus-jobs";

/// A connected transport: pushes tickets, and hands out the backend a worker consumes.
#[derive(Clone)]
pub enum Transport {
    Sqlite(SqliteStorage<JobTicket>),
    Redis(RedisStorage<JobTicket>),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Transport::Sqlite(_) => "Transport::Sqlite",
            Transport::Redis(_) => "Transport::Redis",
        })
    }
}

impl Transport {
    /// Connects to the queue the configuration names (Redis when `REDIS_URL` is set).
    /// Unreachable or unusable queues are start-up errors, never a silent downgrade.
    pub async fn connect(config: &Config) -> Result<Transport, QueueError> {
        match &config.redis_url {
            Some(url) => Transport::redis(url.expose_secret(), config.jobs.heartbeat).await,
            None => Transport::sqlite(&config.jobs.queue_path, config.jobs.heartbeat).await,
        }
    }

    pub async fn sqlite(path: &Path, heartbeat: Duration) -> Result<Transport, QueueError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                QueueError::Unavailable(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let options =
            apalis_sqlite::SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
                .map_err(|e| {
                    QueueError::Unavailable(format!("queue path {}: {e}", path.display()))
                })?
                .create_if_missing(true)
                .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                // The store's own setting: in WAL mode NORMAL never corrupts, and FULL's fsync
                // on every push was most of an order booking's time (docs/BENCHMARKS.md). A
                // ticket lost to a power cut is found again: the job record is in the store.
                .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10));
        let pool = apalis_sqlite::SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|e| QueueError::Unavailable(format!("queue {}: {e}", path.display())))?;
        SqliteStorage::setup(&pool)
            .await
            .map_err(|e| QueueError::Unavailable(format!("queue migrations: {e}")))?;
        Ok(Transport::Sqlite(sqlite_storage(&pool, heartbeat)))
    }

    pub async fn redis(url: &str, heartbeat: Duration) -> Result<Transport, QueueError> {
        let conn = apalis_redis::connect(url)
            .await
            .map_err(|e| QueueError::Unavailable(format!("Redis queue: {e}")))?;
        let config = apalis_redis::Config::default()
            .queue(QUEUE_NAME)
            .heartbeat_interval(heartbeat);
        Ok(Transport::Redis(
            RedisStorage::new(conn).with_config(config),
        ))
    }
}

fn sqlite_storage(pool: &SqlitePool, heartbeat: Duration) -> SqliteStorage<JobTicket> {
    let config = apalis_sqlite::Config::default()
        .queue(QUEUE_NAME)
        .heartbeat_interval(heartbeat);
    SqliteStorage::new(pool).with_config(config)
}

#[async_trait]
impl JobQueue for Transport {
    async fn enqueue(&self, job_id: &str, delay: Option<Duration>) -> Result<(), QueueError> {
        let mut builder = TaskBuilder::new(JobTicket {
            job_id: job_id.to_string(),
        });
        if let Some(d) = delay.filter(|d| !d.is_zero()) {
            builder = builder.run_after(d);
        }
        let task = builder.build();
        let pushed = match self {
            Transport::Sqlite(s) => s.clone().push_task(task).await.map_err(|e| e.to_string()),
            Transport::Redis(s) => s.clone().push_task(task).await.map_err(|e| e.to_string()),
        };
        pushed.map_err(QueueError::Unavailable)
    }

    fn describe(&self) -> String {
        match self {
            Transport::Sqlite(_) => "apalis SQLite queue".into(),
            Transport::Redis(_) => "apalis Redis queue".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The statement apalis-sqlite acknowledges finished tasks with (queries/task/ack.sql).
    const ACK: &str = "WITH j AS (SELECT value ->> 'task_id' AS task_id, \
        value ->> 'attempt' AS attempt, value ->> 'result' AS result, \
        value ->> 'status' AS status FROM json_each(?1)) \
        UPDATE Jobs SET status = j.status, attempts = j.attempt, last_result = j.result, \
        done_at = strftime('%s', 'now') FROM j \
        WHERE Jobs.id = j.task_id AND Jobs.lock_by = ?2";

    /// The statement it locks fetched tasks with (queries/task/lock.sql).
    const LOCK: &str = "UPDATE Jobs SET status = 'Running', lock_at = strftime('%s', 'now'), \
        lock_by = ?2 WHERE id IN (SELECT value FROM json_each(?1)) \
        AND (status = 'Queued' OR status = 'Pending' \
        OR (status = 'Failed' AND attempts < max_attempts))";

    /// An acknowledgement looks its tasks up by id: its cost does not grow with the queue.
    #[tokio::test]
    async fn acknowledging_a_task_looks_it_up_by_id() {
        let dir = tempfile::tempdir().unwrap();
        let Transport::Sqlite(s) =
            Transport::sqlite(&dir.path().join("q.db"), Duration::from_secs(10))
                .await
                .unwrap()
        else {
            unreachable!()
        };
        for q in [LOCK, ACK] {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {q}")))
                .bind("[]")
                .bind("w")
                .fetch_all(s.pool())
                .await
                .unwrap();
            let plan: Vec<String> = rows
                .iter()
                .map(|r| sqlx::Row::get::<String, _>(r, 3))
                .collect();
            assert!(
                plan.iter()
                    .any(|d| d.starts_with("SEARCH Jobs USING INDEX")),
                "{plan:?}"
            );
            assert!(!plan.iter().any(|d| d.starts_with("SCAN Jobs")), "{plan:?}");
        }
    }
}
