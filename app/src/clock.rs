//! The one clock: every "now"-relative rule reads it, and `CV_NOW` pins it for the whole process.

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, Default)]
pub struct Clock {
    pinned: Option<DateTime<Utc>>,
}

impl Clock {
    /// The wall clock.
    pub fn system() -> Self {
        Clock { pinned: None }
    }

    /// A clock stopped at `now` (tests, demos).
    pub fn fixed(now: DateTime<Utc>) -> Self {
        Clock { pinned: Some(now) }
    }

    /// Reads `CV_NOW` (RFC 3339); unset or empty means the wall clock.
    pub fn from_env() -> Result<Self, String> {
        match std::env::var("CV_NOW") {
            Ok(value) if !value.trim().is_empty() => DateTime::parse_from_rfc3339(value.trim())
                .map(|now| Clock::fixed(now.with_timezone(&Utc)))
                .map_err(|e| format!("CV_NOW={value:?} is not an RFC 3339 time ({e}); e.g. 1998-07-01T00:00:00Z")),
            _ => Ok(Clock::system()),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.pinned.unwrap_or_else(Utc::now)
    }

    pub fn is_pinned(&self) -> bool {
        self.pinned.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_does_not_move() {
        let now = DateTime::parse_from_rfc3339("1998-07-01T00:00:00Z").unwrap().with_timezone(&Utc);
        let clock = Clock::fixed(now);
        assert_eq!(clock.now(), now);
        assert_eq!(clock.now(), now);
        assert!(clock.is_pinned());
    }

    #[test]
    fn the_system_clock_moves_forward() {
        let clock = Clock::system();
        let a = clock.now();
        let b = clock.now();
        assert!(b >= a);
        assert!(!clock.is_pinned());
    }
}
