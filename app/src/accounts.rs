//! Workspaces, staff accounts and API keys. Sign-in and sessions build on this (issue 3).

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod secrets;
pub mod settings;
pub mod types;

pub use types::*;
