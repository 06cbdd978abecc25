//! Components and helpers shared by every feature.

pub mod feedback;
pub mod format;
pub mod heading;
pub mod layout;
pub mod url;
