//! Which database a command works on, chosen exactly as the API chooses it.

use anyhow::Context;
use nexus_core::config::Config;
use nexus_core::store::{self, Backend, SqliteStore, Store, StoreConfig};
use secrecy::ExposeSecret;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

#[derive(Debug)]
pub struct Target {
    cfg: StoreConfig,
    /// SQLite stores opened by the command, closed at the end so the WAL is checkpointed
    /// and the `-wal`/`-shm` files go away.
    opened: Mutex<Vec<SqliteStore>>,
}

impl Target {
    /// `MONGODB_URI` wins; otherwise `--db` (or `NEXUS_DB_PATH`, which clap reads into it),
    /// otherwise `$NEXUS_DATA_DIR/nexus.db`, otherwise `./data/nexus.db`: the settings are
    /// read by the same parser as the API's and the worker's (`Config`).
    pub fn resolve(db: Option<PathBuf>) -> anyhow::Result<Target> {
        let config = Config::from_env().context("reading the settings")?;
        let mut cfg = config.store_config();
        if let Some(path) = db {
            cfg.sqlite_path = path;
        }
        // Commands decide themselves whether to touch indexes (create-indexes reports them).
        cfg.ensure_indexes = false;
        Ok(Target {
            cfg,
            opened: Mutex::new(Vec::new()),
        })
    }

    pub fn backend(&self) -> Backend {
        if self.cfg.mongodb_uri.is_some() {
            Backend::Mongo
        } else {
            Backend::Sqlite
        }
    }

    /// The SQLite file, when the target is SQLite.
    pub fn sqlite_path(&self) -> Option<&Path> {
        (self.backend() == Backend::Sqlite).then_some(self.cfg.sqlite_path.as_path())
    }

    /// A description without secrets, for the first line of every command.
    pub fn describe(&self) -> String {
        match self.backend() {
            Backend::Mongo => {
                let db = self.cfg.mongodb_database().unwrap_or_default();
                let host = self
                    .cfg
                    .mongodb_uri
                    .as_ref()
                    .map(|u| redacted_host(u.expose_secret()))
                    .unwrap_or_default();
                format!("MongoDB database `{db}` on {host}")
            }
            Backend::Sqlite => format!("SQLite {}", self.cfg.sqlite_path.display()),
        }
    }

    /// Opens the store as `nexus_core::store::open` does (SQLite: the same
    /// `SqliteStore::open`, kept so [`Self::close`] can close it).
    pub async fn open(&self) -> anyhow::Result<Arc<dyn Store>> {
        let what = || format!("opening {}", self.describe());
        match self.backend() {
            Backend::Mongo => store::open(&self.cfg).await.with_context(what),
            Backend::Sqlite => {
                let s = SqliteStore::open(&self.cfg.sqlite_path)
                    .await
                    .with_context(what)?;
                if let Ok(mut v) = self.opened.lock() {
                    v.push(s.clone());
                }
                Ok(Arc::new(s))
            }
        }
    }

    /// Closes what [`Self::open`] opened.
    pub async fn close(&self) {
        let stores = self
            .opened
            .lock()
            .map(|mut v| std::mem::take(&mut *v))
            .unwrap_or_default();
        for s in stores {
            s.close().await;
        }
    }
}

/// The host part of a MongoDB URI, without credentials, path or options.
fn redacted_host(uri: &str) -> String {
    let rest = uri.split_once("://").map(|(_, r)| r).unwrap_or(uri);
    let hosts = rest.split(['/', '?']).next().unwrap_or("");
    hosts.rsplit('@').next().unwrap_or("").to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn hosts_are_shown_without_credentials() {
        assert_eq!(
            super::redacted_host("mongodb+srv://user:s3cret@cluster0.example.net/nexus?w=majority"),
            "cluster0.example.net"
        );
        assert_eq!(super::redacted_host("mongodb://h1:27017,h2"), "h1:27017,h2");
    }
}
