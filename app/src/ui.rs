//! Components and helpers shared by every feature.

pub mod format;
