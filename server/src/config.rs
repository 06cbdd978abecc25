//! Settings read from the environment (a `.env` file is not read: the scripts export what is needed).

use anyhow::{Context, Result};
use app::clock::Clock;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, PgPool};
use std::str::FromStr;
use std::time::Duration;

pub struct Config {
    pub database_url: String,
    pub clock: Clock,
    /// `CV_SECURE_COOKIES=true` marks the session cookie Secure (when served behind HTTPS).
    pub secure_cookies: bool,
    /// How often the server refreshes every segment (`CV_SEGMENT_REFRESH_SECONDS`, default 900).
    pub segment_refresh: Duration,
}

impl Config {
    pub fn from_env() -> Result<Self> {
        let database_url = std::env::var("DATABASE_URL")
            .context("DATABASE_URL is not set; e.g. postgres://user:password@127.0.0.1:5432/customer_view")?;
        let clock = Clock::from_env().map_err(anyhow::Error::msg)?;
        let secure_cookies = match std::env::var("CV_SECURE_COOKIES").as_deref() {
            Ok("true" | "1") => true,
            Ok("false" | "0" | "") | Err(_) => false,
            Ok(other) => anyhow::bail!("CV_SECURE_COOKIES={other:?}: use true or false"),
        };
        let segment_refresh = match std::env::var("CV_SEGMENT_REFRESH_SECONDS") {
            Ok(text) => match text.trim().parse::<u64>() {
                Ok(seconds) if seconds > 0 => Duration::from_secs(seconds),
                _ => anyhow::bail!("CV_SEGMENT_REFRESH_SECONDS={text:?}: use a whole number of seconds above 0"),
            },
            Err(_) => Duration::from_secs(900),
        };
        Ok(Config { database_url, clock, secure_cookies, segment_refresh })
    }

    pub async fn pool(&self, max_connections: u32) -> Result<PgPool> {
        let options = PgConnectOptions::from_str(&self.database_url)
            .with_context(|| format!("DATABASE_URL {} is not a PostgreSQL URL", redact(&self.database_url)))?
            // Bulk work (seeding, full segment refreshes) is slow by nature: warn only when it is very slow.
            .log_slow_statements(log::LevelFilter::Warn, Duration::from_secs(60))
            // Our statements take optional scopes and filters (`$2 is null or id = any($2)`): a plan made
            // for the values at hand uses the indexes, where a generic plan cached for every value scans
            // whole tables.
            .options([("plan_cache_mode", "force_custom_plan")]);
        PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .with_context(|| format!("could not connect to the database at {}", redact(&self.database_url)))
    }
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            let user = credentials.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(super::redact("postgres://cv:s3cret@localhost/db"), "postgres://cv:***@localhost/db");
        assert_eq!(super::redact("postgres://localhost/db"), "postgres://localhost/db");
    }
}
