//! Components and helpers shared by every feature.

pub mod card;
pub mod chip;
pub mod feedback;
pub mod format;
pub mod heading;
pub mod layout;
pub mod loaded;
pub mod pager;
pub mod poll;
pub mod table;
pub mod url;
