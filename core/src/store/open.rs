//! Choosing and opening the store from configuration: MongoDB when a URI is configured (the
//! legacy `MONGODB_URI` keeps working), otherwise the embedded SQLite file. Unset means
//! embedded, never a crash; a set-but-malformed value is an error naming the variable.

use super::{Store, StoreError, StoreResult};
use secrecy::{ExposeSecret, SecretString};
use std::path::PathBuf;
use std::sync::Arc;

pub const ENV_MONGODB_URI: &str = "MONGODB_URI";
pub const ENV_MONGODB_DB: &str = "NEXUS_MONGODB_DB";
pub const ENV_DB_PATH: &str = "NEXUS_DB_PATH";
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
    /// Reads `MONGODB_URI`, `NEXUS_MONGODB_DB` and `NEXUS_DB_PATH` from the environment.
    pub fn from_env() -> StoreResult<Self> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Same as [`Self::from_env`] over any variable source (tests, `.env` maps). Empty values
    /// count as unset.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> StoreResult<Self> {
        let var = |k: &str| {
            get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let mongodb_uri = match var(ENV_MONGODB_URI) {
            Some(uri) => {
                validate_mongodb_uri(&uri)?;
                Some(SecretString::from(uri))
            }
            None => None,
        };
        let mongodb_db = match var(ENV_MONGODB_DB) {
            Some(db) => Some(validate_db_name(&db, ENV_MONGODB_DB)?),
            None => None,
        };
        Ok(StoreConfig {
            mongodb_uri,
            mongodb_db,
            sqlite_path: var(ENV_DB_PATH)
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(DEFAULT_SQLITE_PATH)),
            ensure_indexes: true,
        })
    }

    /// The MongoDB database to use: `NEXUS_MONGODB_DB`, else the URI's path, else `nexusoms`.
    pub fn mongodb_database(&self) -> StoreResult<Option<String>> {
        let Some(uri) = &self.mongodb_uri else {
            return Ok(None);
        };
        if let Some(db) = &self.mongodb_db {
            return Ok(Some(db.clone()));
        }
        Ok(Some(
            database_from_uri(uri.expose_secret())?.unwrap_or_else(|| DEFAULT_MONGODB_DB.into()),
        ))
    }
}

fn config_error(var: &str, why: &str) -> StoreError {
    StoreError::Config(format!("{var} {why}"))
}

/// Checks the shape of a connection string without echoing it (it may hold a password).
pub fn validate_mongodb_uri(uri: &str) -> StoreResult<()> {
    let rest = uri
        .strip_prefix("mongodb://")
        .or_else(|| uri.strip_prefix("mongodb+srv://"))
        .ok_or_else(|| {
            config_error(
                ENV_MONGODB_URI,
                "must start with mongodb:// or mongodb+srv://",
            )
        })?;
    let hosts = rest.split(['/', '?']).next().unwrap_or("");
    let hosts = hosts.rsplit('@').next().unwrap_or("");
    if hosts.is_empty() || hosts.split(',').any(str::is_empty) {
        return Err(config_error(ENV_MONGODB_URI, "names no host"));
    }
    if uri.chars().any(char::is_whitespace) {
        return Err(config_error(ENV_MONGODB_URI, "contains whitespace"));
    }
    database_from_uri(uri).map(|_| ())
}

/// The database in the URI path (`mongodb://host/nexus?retryWrites=true` → `nexus`).
pub fn database_from_uri(uri: &str) -> StoreResult<Option<String>> {
    let rest = uri.split_once("://").map(|(_, r)| r).unwrap_or(uri);
    let Some((_, after_host)) = rest.split_once('/') else {
        return Ok(None);
    };
    let db = after_host.split('?').next().unwrap_or("");
    if db.is_empty() {
        return Ok(None);
    }
    validate_db_name(db, ENV_MONGODB_URI).map(Some)
}

fn validate_db_name(db: &str, var: &str) -> StoreResult<String> {
    let bad = db.len() > 63
        || db.chars().any(|c| {
            matches!(
                c,
                '/' | '\\' | '.' | ' ' | '"' | '$' | '*' | '<' | '>' | ':' | '|' | '?'
            )
        });
    if bad {
        Err(config_error(var, "names an invalid database"))
    } else {
        Ok(db.to_string())
    }
}

/// Opens the configured store and, unless disabled, creates missing catalogue indexes.
pub async fn open(cfg: &StoreConfig) -> StoreResult<Arc<dyn Store>> {
    let store: Arc<dyn Store> = match &cfg.mongodb_uri {
        Some(uri) => {
            let db = cfg
                .mongodb_database()?
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
    use std::collections::HashMap;

    fn cfg(vars: &[(&str, &str)]) -> StoreResult<StoreConfig> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        StoreConfig::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn unset_means_embedded_sqlite() {
        let c = cfg(&[]).unwrap();
        assert!(c.mongodb_uri.is_none());
        assert_eq!(c.sqlite_path, PathBuf::from("./data/nexus.db"));
        let c = cfg(&[("MONGODB_URI", "  "), ("NEXUS_DB_PATH", "/tmp/x.db")]).unwrap();
        assert!(c.mongodb_uri.is_none());
        assert_eq!(c.sqlite_path, PathBuf::from("/tmp/x.db"));
    }

    #[test]
    fn database_name_from_variable_uri_or_default() {
        let c = cfg(&[(
            "MONGODB_URI",
            "mongodb://u:p@h1:27017,h2/legacy?retryWrites=true",
        )])
        .unwrap();
        assert_eq!(c.mongodb_database().unwrap().as_deref(), Some("legacy"));
        let c = cfg(&[
            ("MONGODB_URI", "mongodb+srv://u:p@cluster.example/legacy"),
            ("NEXUS_MONGODB_DB", "other"),
        ])
        .unwrap();
        assert_eq!(c.mongodb_database().unwrap().as_deref(), Some("other"));
        let c = cfg(&[("MONGODB_URI", "mongodb://localhost:27017/?replicaSet=rs0")]).unwrap();
        assert_eq!(c.mongodb_database().unwrap().as_deref(), Some("nexusoms"));
    }

    #[test]
    fn malformed_values_name_the_variable_not_the_secret() {
        for bad in [
            "postgres://u:secretpw@h/db",
            "mongodb://",
            "mongodb://u:secretpw@/db",
            "mongodb://h/bad.name",
        ] {
            let err = cfg(&[("MONGODB_URI", bad)]).unwrap_err().to_string();
            assert!(err.contains("MONGODB_URI"), "{err}");
            assert!(!err.contains("secretpw"), "{err}");
        }
        let err = cfg(&[("MONGODB_URI", "mongodb://h"), ("NEXUS_MONGODB_DB", "a/b")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("NEXUS_MONGODB_DB"), "{err}");
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
