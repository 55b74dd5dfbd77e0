//! NexusOMS core: the data model, the business rules, and the ports (store, queue, events,
//! blobs, AI and maps clients) that the API, the worker and the console share. Nothing here
//! knows about HTTP, terminals or job runners.

pub mod auth;
pub mod blob;
#[cfg(feature = "s3")]
pub mod blob_s3;
pub mod config;
pub mod events;
#[cfg(feature = "redis")]
pub mod events_redis;
pub mod exposure;
pub mod integrations;
pub mod jobs;
pub mod live;
pub mod model;
pub mod rules;
pub mod seed;
#[cfg(feature = "redis")]
pub mod shared_counters;
pub mod store;
pub mod types;
pub mod wire;
