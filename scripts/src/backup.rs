//! `backup` and `restore` of the embedded SQLite database (docs/DATABASE_BACKUP.md).
//!
//! Backup is online: `VACUUM INTO` reads one consistent snapshot inside a read transaction,
//! so it runs while the API is serving (writers are not blocked in WAL mode). The copy is
//! switched to rollback-journal mode (one self-contained file), checked with
//! `PRAGMA integrity_check`, fsynced and only then renamed to its final name.
//!
//! Restore replaces the database file atomically: copy to a temporary file beside the
//! target, fsync, integrity check, refuse if the target is open by another process (a
//! running API), keep the replaced database as `<db>.before-restore` (a hard link, so no
//! copy), remove stale `-wal`/`-shm` files, rename, and finally open the restored database
//! through the store and print its document counts.
//!
//! MongoDB has its own tools for this (mongodump/mongorestore, Atlas backups); for a MongoDB
//! target both commands explain that instead of pretending.

use crate::target::Target;
use anyhow::{Context, bail};
use nexus_core::store::{Backend, Collection, Filter};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// Exit code for "this command does not apply to the configured backend".
const NOT_FOR_THIS_BACKEND: u8 = 2;
/// Exit code for "the target database is in use".
const IN_USE: u8 = 4;

fn mongo_explanation(what: &str) -> ExitCode {
    let cmd = if what == "backup" {
        "mongodump --uri=\"$MONGODB_URI\" --gzip --archive=nexus-$(date +%F).archive.gz   # add --oplog on a replica set"
    } else {
        "mongorestore --uri=\"$MONGODB_URI\" --gzip --archive=nexus-YYYY-MM-DD.archive.gz --drop   # add --oplogReplay for a --oplog dump"
    };
    eprintln!(
        "`nexus-admin {what}` works on the embedded SQLite database; MONGODB_URI is set, so \
         the data is in MongoDB.\n\
         Use MongoDB's own tools (or Atlas continuous backup), e.g.:\n  {cmd}\n\
         `nexus-admin export --out DIR` / `import --from DIR` move the data portably between \
         MongoDB and SQLite. See docs/DATABASE_BACKUP.md."
    );
    ExitCode::from(NOT_FOR_THIS_BACKEND)
}

async fn connect(path: &Path, read_only: bool) -> anyhow::Result<SqliteConnection> {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .read_only(read_only)
        .busy_timeout(Duration::from_secs(30))
        .connect()
        .await
        .with_context(|| format!("opening {}", path.display()))
}

/// `PRAGMA integrity_check` must answer exactly one row, `ok`.
async fn integrity_check(conn: &mut SqliteConnection) -> anyhow::Result<()> {
    let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut *conn)
        .await?;
    if rows.len() == 1 && rows[0] == "ok" {
        Ok(())
    } else {
        bail!(
            "integrity check failed: {}",
            rows.into_iter().take(10).collect::<Vec<_>>().join("; ")
        )
    }
}

/// Rows per collection table in a database file (tables that do not exist are skipped).
async fn table_counts(conn: &mut SqliteConnection) -> anyhow::Result<Vec<(Collection, i64)>> {
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetch_all(&mut *conn)
            .await?;
    let mut out = Vec::new();
    for c in Collection::ALL {
        if tables.iter().any(|t| t == c.name()) {
            // The name comes from the fixed collection list, never from input.
            let q = format!("SELECT count(*) FROM \"{}\"", c.name());
            let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(q))
                .fetch_one(&mut *conn)
                .await?;
            out.push((c, n));
        }
    }
    Ok(out)
}

fn fsync_file(path: &Path) -> anyhow::Result<()> {
    fs::File::open(path)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("fsync {}", path.display()))
}

fn fsync_dir(dir: &Path) {
    // Directory fsync makes the rename durable; not every platform allows it.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "nexus.db".into());
    parent(path).join(format!(".{name}.{suffix}-{}", std::process::id()))
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn human_size(bytes: u64) -> String {
    let mut v = bytes as f64;
    for unit in ["B", "KiB", "MiB", "GiB"] {
        if v < 1024.0 {
            return format!("{v:.1} {unit}");
        }
        v /= 1024.0;
    }
    format!("{v:.1} TiB")
}

pub async fn backup(target: &Target, out: &Path, force: bool) -> anyhow::Result<ExitCode> {
    if target.backend() == Backend::Mongo {
        return Ok(mongo_explanation("backup"));
    }
    let src = target.sqlite_path().unwrap_or(Path::new(""));
    out!("Database: {}", target.describe());
    if !src.exists() {
        bail!("no database at {}", src.display());
    }
    if out.exists() && !force {
        bail!("{} exists; pass --force to replace it", out.display());
    }
    fs::create_dir_all(parent(out))?;
    let tmp = sibling(out, "partial");
    let _ = fs::remove_file(&tmp);

    let started = std::time::Instant::now();
    let result = async {
        let mut conn = connect(src, false).await?;
        sqlx::query("VACUUM INTO ?1")
            .bind(tmp.to_string_lossy().into_owned())
            .execute(&mut conn)
            .await
            .context("VACUUM INTO")?;
        conn.close().await?;

        let mut copy = connect(&tmp, false).await?;
        // One self-contained file: no -wal beside the backup.
        sqlx::query("PRAGMA journal_mode=DELETE")
            .execute(&mut copy)
            .await?;
        integrity_check(&mut copy).await?;
        let counts = table_counts(&mut copy).await?;
        copy.close().await?;
        fsync_file(&tmp)?;
        anyhow::Ok(counts)
    }
    .await;
    let counts = match result {
        Ok(c) => c,
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
    };
    fs::rename(&tmp, out).with_context(|| format!("renaming to {}", out.display()))?;
    fsync_dir(&parent(out));

    let size = fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    out!("────────────────────────────────────────");
    for (c, n) in &counts {
        out!("{:<24} {n:>8}", c.name());
    }
    out!("Integrity check: ok");
    out!(
        "✅ Backup written: {} ({}, {:.1} s)",
        out.display(),
        human_size(size),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// Refuses when another process has the database open. Leaving WAL mode needs every other
/// connection closed, so `journal_mode=DELETE` without waiting fails with "database is
/// locked" (or stays `wal`) exactly while a server holds the file open.
async fn ensure_not_in_use(db: &Path) -> anyhow::Result<bool> {
    let conn = SqliteConnectOptions::new()
        .filename(db)
        .create_if_missing(false)
        .busy_timeout(Duration::ZERO)
        .connect()
        .await;
    let mut conn = match conn {
        Ok(c) => c,
        Err(e) => bail!(
            "cannot open {} to check it is not in use: {e}",
            db.display()
        ),
    };
    let mode: Result<String, _> = sqlx::query_scalar("PRAGMA journal_mode=DELETE")
        .fetch_one(&mut conn)
        .await;
    // BEGIN EXCLUSIVE also fails while any other connection reads or writes.
    let exclusive = match &mode {
        Ok(m) if m.eq_ignore_ascii_case("delete") => sqlx::query("BEGIN EXCLUSIVE")
            .execute(&mut conn)
            .await
            .is_ok(),
        _ => false,
    };
    if exclusive {
        let _ = sqlx::query("COMMIT").execute(&mut conn).await;
    }
    let _ = conn.close().await;
    Ok(exclusive)
}

pub async fn restore(target: &Target, from: &Path) -> anyhow::Result<ExitCode> {
    if target.backend() == Backend::Mongo {
        return Ok(mongo_explanation("restore"));
    }
    let dst = target.sqlite_path().unwrap_or(Path::new("")).to_path_buf();
    out!("Database: {}", target.describe());
    out!("Restoring from {}", from.display());
    if !from.is_file() {
        bail!("no backup file at {}", from.display());
    }
    fs::create_dir_all(parent(&dst))?;
    let tmp = sibling(&dst, "restore-partial");
    let _ = fs::remove_file(&tmp);

    // 1. Copy and verify the copy (never the original, which may be on read-only media).
    let prepared = async {
        fs::copy(from, &tmp).with_context(|| format!("copying {}", from.display()))?;
        let mut conn = connect(&tmp, false).await?;
        sqlx::query("PRAGMA journal_mode=DELETE")
            .execute(&mut conn)
            .await?;
        integrity_check(&mut conn)
            .await
            .context("the backup file is damaged")?;
        conn.close().await?;
        fsync_file(&tmp)
    }
    .await;
    if let Err(e) = prepared {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }

    // 2. The target must not be open by a running API or another tool.
    if dst.exists() {
        match ensure_not_in_use(&dst).await {
            Ok(true) => {}
            Ok(false) => {
                let _ = fs::remove_file(&tmp);
                eprintln!(
                    "error: {} is in use by another process (is nexus-api or nexus-worker \
                     running?). Stop it, then run the restore again. Nothing was changed.",
                    dst.display()
                );
                return Ok(ExitCode::from(IN_USE));
            }
            Err(e) => {
                let _ = fs::remove_file(&tmp);
                return Err(e);
            }
        }
        // Keep the replaced database reachable (a hard link costs no copy).
        let before = with_suffix(&dst, ".before-restore");
        let _ = fs::remove_file(&before);
        if fs::hard_link(&dst, &before).is_ok() {
            out!("Previous database kept as {}", before.display());
        }
    }

    // 3. Stale WAL files belong to the old database and must never be applied to the new one.
    for suffix in ["-wal", "-shm", "-journal"] {
        let p = with_suffix(&dst, suffix);
        if p.exists() {
            fs::remove_file(&p).with_context(|| format!("removing {}", p.display()))?;
        }
    }
    fs::rename(&tmp, &dst).with_context(|| format!("renaming to {}", dst.display()))?;
    fsync_dir(&parent(&dst));

    // 4. Open it the way the API will and report what it holds.
    let mut conn = connect(&dst, false).await?;
    integrity_check(&mut conn).await?;
    conn.close().await?;
    let store = target.open().await?;
    out!("────────────────────────────────────────");
    let mut total = 0u64;
    for c in Collection::ALL {
        let n = store.count(c, &Filter::All).await?;
        total += n;
        out!("{:<24} {n:>8}", c.name());
    }
    out!("Integrity check: ok");
    out!("✅ Restored {} documents into {}", total, dst.display());
    Ok(ExitCode::SUCCESS)
}
