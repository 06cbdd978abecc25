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
    /// How often the server scans every workspace for duplicates (`CV_DUPLICATE_SCAN_HOURS`, default 24).
    pub duplicate_scan: Duration,
    /// Proxies whose `X-Forwarded-For` is believed (`CV_TRUSTED_PROXIES`: addresses or CIDR ranges,
    /// separated by commas or spaces).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// How many jobs (exports, bulk actions) this server runs at once (`CV_JOB_WORKERS`, default 2).
    pub job_workers: usize,
}

/// The longest a statement of the web server may run (a slow list query answers 503, not a hung page);
/// command-line work (seeding, full refreshes) has none.
pub const STATEMENT_TIMEOUT: Duration = Duration::from_secs(15);

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
        let segment_refresh = whole_duration("CV_SEGMENT_REFRESH_SECONDS", "seconds", 1, 900)?;
        let duplicate_scan = whole_duration("CV_DUPLICATE_SCAN_HOURS", "hours", 3600, 24)?;
        let trusted_proxies = match std::env::var("CV_TRUSTED_PROXIES") {
            Ok(text) => trusted_proxies(&text)?,
            Err(_) => Vec::new(),
        };
        let job_workers = match std::env::var("CV_JOB_WORKERS") {
            Ok(text) => match text.trim().parse::<usize>() {
                Ok(n) if (1..=64).contains(&n) => n,
                _ => anyhow::bail!("CV_JOB_WORKERS={text:?}: use a whole number from 1 to 64"),
            },
            Err(_) => 2,
        };
        Ok(Config {
            database_url,
            clock,
            secure_cookies,
            segment_refresh,
            duplicate_scan,
            trusted_proxies,
            job_workers,
        })
    }

    /// A pool of `max_connections`; with `statement_timeout`, every statement is cut off after it.
    pub async fn pool(&self, max_connections: u32, statement_timeout: Option<Duration>) -> Result<PgPool> {
        let options = PgConnectOptions::from_str(&self.database_url)
            .with_context(|| format!("DATABASE_URL {} is not a PostgreSQL URL", redact(&self.database_url)))?
            // Bulk work (seeding, full segment refreshes) is slow by nature: warn only when it is very slow.
            .log_slow_statements(log::LevelFilter::Warn, Duration::from_secs(60))
            // Our statements take optional scopes and filters (`$2 is null or id = any($2)`): a plan made
            // for the values at hand uses the indexes, where a generic plan cached for every value scans
            // whole tables.
            .options([("plan_cache_mode", "force_custom_plan")]);
        let options = match statement_timeout {
            Some(limit) => options.options([("statement_timeout", format!("{}ms", limit.as_millis()))]),
            None => options,
        };
        PgPoolOptions::new()
            .max_connections(max_connections)
            // While the database is away, a request waits this long for a connection, then answers 503.
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await
            .with_context(|| format!("could not connect to the database at {}", redact(&self.database_url)))
    }
}

/// A whole number of `unit`s above 0 from the environment variable `name` (`default` when it is unset).
fn whole_duration(name: &str, unit: &str, seconds_per_unit: u64, default: u64) -> Result<Duration> {
    let units = match std::env::var(name) {
        Ok(text) => match text.trim().parse::<u64>() {
            Ok(units) if units > 0 => units,
            _ => anyhow::bail!("{name}={text:?}: use a whole number of {unit} above 0"),
        },
        Err(_) => default,
    };
    Ok(Duration::from_secs(units * seconds_per_unit))
}

/// `10.0.0.0/8, 192.168.1.4 ::1` → the ranges (a bare address is a range of one).
fn trusted_proxies(text: &str) -> Result<Vec<ipnet::IpNet>> {
    text.split([',', ' '])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<ipnet::IpNet>().or_else(|_| t.parse::<std::net::IpAddr>().map(ipnet::IpNet::from)).map_err(|_| {
                anyhow::anyhow!("CV_TRUSTED_PROXIES: {t:?} is neither an address nor a range such as 10.0.0.0/8")
            })
        })
        .collect()
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
    fn trusted_proxies_are_addresses_or_ranges() {
        let nets = super::trusted_proxies("10.0.0.0/8, 192.168.1.4 ::1").unwrap();
        assert_eq!(nets.len(), 3);
        assert!(nets[1].contains(&"192.168.1.4".parse::<std::net::IpAddr>().unwrap()));
        assert!(super::trusted_proxies("10.0.0.0/8,proxy.example").is_err());
        assert!(super::trusted_proxies("").unwrap().is_empty());
    }

    /// The web server's statements stop at their limit with a 503 saying so, instead of holding a
    /// connection of the pool of 20 for as long as a slow query takes.
    #[sqlx::test(migrations = false)]
    async fn the_web_servers_statements_are_cut_off_at_their_limit(_pool: sqlx::PgPool) {
        let config = super::Config {
            database_url: std::env::var("DATABASE_URL").unwrap(),
            clock: app::clock::Clock::system(),
            secure_cookies: false,
            segment_refresh: std::time::Duration::from_secs(900),
            duplicate_scan: std::time::Duration::from_secs(24 * 3600),
            trusted_proxies: Vec::new(),
            job_workers: 2,
        };
        let serving = config.pool(1, Some(super::STATEMENT_TIMEOUT)).await.unwrap();
        let limit: String = sqlx::query_scalar("show statement_timeout").fetch_one(&serving).await.unwrap();
        assert_eq!(limit, "15s");
        let short = config.pool(1, Some(std::time::Duration::from_millis(100))).await.unwrap();
        let slow = sqlx::query("select pg_sleep(2)").execute(&short).await.unwrap_err();
        assert_eq!(app::error::AppError::from(slow), app::error::AppError::TooSlow);
        let cli = config.pool(1, None).await.unwrap();
        let limit: String = sqlx::query_scalar("show statement_timeout").fetch_one(&cli).await.unwrap();
        assert_eq!(limit, "0", "command-line work has no limit");
    }

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(super::redact("postgres://cv:s3cret@localhost/db"), "postgres://cv:***@localhost/db");
        assert_eq!(super::redact("postgres://localhost/db"), "postgres://localhost/db");
    }
}
