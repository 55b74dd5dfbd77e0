//! `nexus-tui`: the NexusOMS operator console. An API client (REST for actions, the
//! WebSocket for live updates) so RBAC and audit apply as for any client; served on the
//! local terminal or over SSH.
//!
//! The [`app::App`] state machine is pure (input in, state and commands out) and draws on
//! any ratatui backend: a local terminal, an SSH channel, or `TestBackend` in tests.

pub mod api;
pub mod app;
pub mod dto;
pub mod help;
pub mod keys;
pub mod live;
pub mod palette;
pub mod runtime;
pub mod ssh;
pub mod steps;
pub mod theme;
pub mod views;
pub mod widgets;
