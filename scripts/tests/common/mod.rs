//! Helpers for driving the real `nexus-admin` binary against temporary SQLite files.

#![allow(dead_code)] // each test file uses a different subset

use nexus_core::store::{Collection, Query, SqliteStore, Store};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_nexus-admin");

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn ok(self) -> Run {
        assert_eq!(
            self.code, 0,
            "nexus-admin failed\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Whether some output line contains `needle` (emoji prefixes are allowed before it).
    pub fn has_line(&self, needle: &str) -> bool {
        self.stdout.lines().any(|l| l.contains(needle))
    }
}

fn finish(out: Output) -> Run {
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `nexus-admin --db <db> <args>` with a clean environment: no MongoDB, bcrypt cost 4,
/// working directory `dir` (so no stray `.env` is read).
pub fn run(dir: &Path, db: &Path, args: &[&str]) -> Run {
    run_env(dir, db, args, &[])
}

pub fn run_env(dir: &Path, db: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir)
        .env_remove("MONGODB_URI")
        .env_remove("NEXUS_MONGODB_DB")
        .env_remove("NEXUS_DB_PATH")
        .env("NEXUS_BCRYPT_COST", "4")
        .arg("--db")
        .arg(db)
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    finish(cmd.output().expect("nexus-admin runs"))
}

pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn run(&self, db: &Path, args: &[&str]) -> Run {
        run(self.dir.path(), db, args)
    }
}

pub async fn open(db: &Path) -> SqliteStore {
    SqliteStore::open(db).await.expect("store opens")
}

/// Every collection's documents, each list sorted by its JSON text, for exact comparison.
pub async fn dump(store: &dyn Store) -> BTreeMap<&'static str, Vec<Value>> {
    let mut out = BTreeMap::new();
    for c in Collection::ALL {
        let mut docs = store.find(c, &Query::all()).await.expect("find");
        docs.sort_by_cached_key(|d| d.to_string());
        out.insert(c.name(), docs);
    }
    out
}

pub async fn dump_file(db: &Path) -> BTreeMap<&'static str, Vec<Value>> {
    let s = open(db).await;
    let d = dump(&s).await;
    s.close().await;
    d
}

/// The `collection created skipped` rows of the seed summary.
pub fn seed_summary(stdout: &str) -> BTreeMap<String, (usize, usize)> {
    let mut rows = BTreeMap::new();
    let mut in_table = false;
    for line in stdout.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols == ["collection", "created", "skipped"] {
            in_table = true;
            continue;
        }
        if in_table {
            match cols.as_slice() {
                [name, c, s] => match (c.parse(), s.parse()) {
                    (Ok(c), Ok(s)) => {
                        rows.insert(name.to_string(), (c, s));
                    }
                    _ => break,
                },
                _ => break,
            }
        }
    }
    rows
}
