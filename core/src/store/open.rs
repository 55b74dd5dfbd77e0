//! Opening the store the configuration chose: MongoDB when a URI is configured (the legacy
//! `MONGODB_URI` keeps working), otherwise the embedded SQLite file. The variables are read
//! and validated once, by `config::Config` (which uses the checks below); this module only
//! opens what it was given.

use super::{Store, StoreResult};
use secrecy::{ExposeSecret, SecretString};
use std::path::PathBuf;
use std::sync::Arc;

pub const ENV_MONGODB_URI: &str = "MONGODB_URI";
pub const DEFAULT_SQLITE_PATH: &str = "./data/nexus.db";
pub const DEFAULT_MONGODB_DB: &str = "nexusoms";

/// The store part of the application configuration.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// Holds credentials, hence secret; never logged.
    pub mongodb_uri: Option<SecretString>,
    /// Overrides the database named in the URI path.
    pub mongodb_db: Option<String>,
    pub sqlite_path: PathBuf,
    /// Create missing catalogue indexes on open (what Mongoose's autoIndex did).
    pub ensure_indexes: bool,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            mongodb_uri: None,
            mongodb_db: None,
            sqlite_path: PathBuf::from(DEFAULT_SQLITE_PATH),
            ensure_indexes: true,
        }
    }
}

impl StoreConfig {
    /// The MongoDB database to use (`None` for SQLite): the one the configuration resolved
    /// (`NEXUS_MONGODB_DB`, else the URI's path), else `nexusoms`.
    pub fn mongodb_database(&self) -> Option<String> {
        self.mongodb_uri.as_ref()?;
        Some(
            self.mongodb_db
                .clone()
                .unwrap_or_else(|| DEFAULT_MONGODB_DB.into()),
        )
    }
}

#[cfg(any(not(feature = "sqlite"), not(feature = "mongo")))]
fn config_error(var: &str, why: &str) -> super::StoreError {
    super::StoreError::Config(format!("{var} {why}"))
}

/// What is wrong with a connection string, without echoing it (it may hold a password).
pub fn mongodb_uri_problem(uri: &str) -> Option<&'static str> {
    let Some(rest) = uri
        .strip_prefix("mongodb://")
        .or_else(|| uri.strip_prefix("mongodb+srv://"))
    else {
        return Some("must start with mongodb:// or mongodb+srv://");
    };
    let hosts = rest.split(['/', '?']).next().unwrap_or("");
    let hosts = hosts.rsplit('@').next().unwrap_or("");
    if hosts.is_empty() || hosts.split(',').any(str::is_empty) {
        return Some("names no host");
    }
    if uri.chars().any(char::is_whitespace) {
        return Some("contains whitespace");
    }
    database_from_uri(uri).err()
}

/// The database in the URI path (`mongodb://host/nexus?retryWrites=true` → `nexus`).
pub fn database_from_uri(uri: &str) -> Result<Option<String>, &'static str> {
    let rest = uri.split_once("://").map(|(_, r)| r).unwrap_or(uri);
    let Some((_, after_host)) = rest.split_once('/') else {
        return Ok(None);
    };
    let db = after_host.split('?').next().unwrap_or("");
    if db.is_empty() {
        return Ok(None);
    }
    db_name_problem(db).map_or(Ok(Some(db.to_string())), Err)
}

/// What is wrong with a MongoDB database name (MongoDB refuses these characters).
pub fn db_name_problem(db: &str) -> Option<&'static str> {
    let bad = db.is_empty()
        || db.len() > 63
        || db.chars().any(|c| {
            matches!(
                c,
                '/' | '\\' | '.' | ' ' | '"' | '$' | '*' | '<' | '>' | ':' | '|' | '?'
            )
        });
    bad.then_some("names an invalid database")
}

/// Opens the configured store and, unless disabled, creates missing catalogue indexes.
pub async fn open(cfg: &StoreConfig) -> StoreResult<Arc<dyn Store>> {
    let store: Arc<dyn Store> = match &cfg.mongodb_uri {
        Some(uri) => {
            let db = cfg
                .mongodb_database()
                .unwrap_or_else(|| DEFAULT_MONGODB_DB.into());
            open_mongo(uri.expose_secret(), &db).await?
        }
        None => open_sqlite(cfg).await?,
    };
    if cfg.ensure_indexes {
        let report = store.ensure_indexes().await?;
        tracing::info!(
            backend = ?store.backend(),
            created = report.created.len(),
            existing = report.existing.len(),
            "store indexes checked"
        );
        for c in &report.conflicts {
            tracing::warn!(conflict = %c, "index left as found; resolve by hand");
        }
    }
    Ok(store)
}

#[cfg(feature = "mongo")]
async fn open_mongo(uri: &str, db: &str) -> StoreResult<Arc<dyn Store>> {
    Ok(Arc::new(super::MongoStore::connect(uri, db).await?))
}

#[cfg(not(feature = "mongo"))]
async fn open_mongo(_uri: &str, _db: &str) -> StoreResult<Arc<dyn Store>> {
    Err(config_error(
        ENV_MONGODB_URI,
        "is set but this build has no MongoDB support (feature `mongo`)",
    ))
}

#[cfg(feature = "sqlite")]
async fn open_sqlite(cfg: &StoreConfig) -> StoreResult<Arc<dyn Store>> {
    Ok(Arc::new(super::SqliteStore::open(&cfg.sqlite_path).await?))
}

#[cfg(not(feature = "sqlite"))]
async fn open_sqlite(_cfg: &StoreConfig) -> StoreResult<Arc<dyn Store>> {
    Err(config_error(
        ENV_MONGODB_URI,
        "is not set and this build has no embedded SQLite store (feature `sqlite`)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_strings_are_checked_without_echoing_them() {
        assert_eq!(
            mongodb_uri_problem("mongodb://u:p@h1:27017,h2/legacy?w=1"),
            None
        );
        assert_eq!(
            database_from_uri("mongodb://u:p@h1:27017,h2/legacy?retryWrites=true"),
            Ok(Some("legacy".into()))
        );
        assert_eq!(
            database_from_uri("mongodb://localhost:27017/?replicaSet=rs0"),
            Ok(None)
        );
        for bad in [
            "postgres://u:secretpw@h/db",
            "mongodb://",
            "mongodb://u:secretpw@/db",
            "mongodb://h/bad.name",
        ] {
            let why = mongodb_uri_problem(bad).expect(bad);
            assert!(!why.contains("secretpw"), "{why}");
        }
        assert!(db_name_problem("a/b").is_some());
        assert!(db_name_problem("nexusoms").is_none());
    }

    #[cfg(feature = "sqlite")]
    #[tokio::test]
    async fn opens_sqlite_and_builds_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = StoreConfig {
            sqlite_path: dir.path().join("data/nexus.db"),
            ..StoreConfig::default()
        };
        let store = open(&cfg).await.unwrap();
        assert_eq!(store.backend(), super::super::Backend::Sqlite);
        let again = store.ensure_indexes().await.unwrap();
        assert!(again.created.is_empty());
    }
}
