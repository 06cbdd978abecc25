//! Command-line interface (SPEC §6). With no subcommand the server serves.

use crate::config::Config;
use anyhow::{Context, Result, bail};
use app::accounts::Role;
use app::accounts::{db, secrets};
use app::channels::{ChannelKind, Connection};
use app::error::AppError;
use clap::{Parser, Subcommand};
use std::io::{IsTerminal, Read};

#[derive(Parser, Debug)]
#[command(name = "server", version, about = "Customer View: serve the app, or administer it")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the web app and the API (the default).
    Serve,
    /// Apply pending database migrations.
    Migrate,
    /// Manage workspaces.
    Workspace {
        #[command(subcommand)]
        command: WorkspaceCommand,
    },
    /// Manage staff accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API keys.
    ApiKey {
        #[command(subcommand)]
        command: ApiKeyCommand,
    },
    /// Sales channels (shops, marketplaces).
    Channel {
        #[command(subcommand)]
        command: ChannelCommand,
    },
    /// Load deterministic demo data into a workspace.
    Seed(crate::seed::SeedArgs),
    /// Segment memberships.
    Segments {
        #[command(subcommand)]
        command: SegmentsCommand,
    },
    /// Possible duplicates.
    Duplicates {
        #[command(subcommand)]
        command: DuplicatesCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum DuplicatesCommand {
    /// Compare every customer with those sharing a key, and list the pairs probably one person (all
    /// workspaces, or one).
    Scan {
        #[arg(long)]
        workspace: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum SegmentsCommand {
    /// Bring every built-in segment up to date with the clock (all workspaces, or one).
    Refresh {
        #[arg(long)]
        workspace: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum WorkspaceCommand {
    /// Create a workspace (a business).
    Create {
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
        /// Base currency (ISO 4217).
        #[arg(long, default_value = "USD")]
        currency: String,
        /// IANA time zone in which dates are shown.
        #[arg(long, default_value = "UTC")]
        timezone: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add a staff member to a workspace. The password is read from standard input when it is not a
    /// terminal, otherwise prompted for.
    Create {
        #[arg(long)]
        workspace: String,
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
}

#[derive(Subcommand, Debug)]
pub enum ApiKeyCommand {
    /// Create an API key; prints the key alone on standard output.
    Create {
        #[arg(long)]
        workspace: String,
        #[arg(long, default_value = "command line")]
        name: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ChannelCommand {
    /// Add a channel; prints its webhook path (`/hooks/<token>`) alone on the last line.
    Create {
        #[arg(long)]
        workspace: String,
        /// The channel's key, as orders and messages name it (e.g. `shopify-eu`).
        #[arg(long)]
        key: String,
        /// shopify, amazon, ebay, woocommerce, bigcommerce, website, pos, manual or other.
        #[arg(long, value_parser = parse_channel_kind)]
        kind: ChannelKind,
        /// How people see it; the key when left out.
        #[arg(long)]
        name: Option<String>,
        /// The webhook secret (Shopify and WooCommerce sign with it; BigCommerce sends it as a header).
        #[arg(long)]
        secret: Option<String>,
        /// The store's API (BigCommerce `https://api.bigcommerce.com/stores/<hash>`, Amazon's SP-API endpoint).
        #[arg(long)]
        api_base_url: Option<String>,
        /// BigCommerce: the API account's access token.
        #[arg(long)]
        access_token: Option<String>,
    },
}

fn parse_channel_kind(text: &str) -> Result<ChannelKind, String> {
    ChannelKind::parse(text).ok_or_else(|| format!("use one of {}", ChannelKind::KEYS.join(", ")))
}

fn parse_role(text: &str) -> Result<Role, String> {
    text.parse()
}

pub async fn run(cli: Cli) -> Result<()> {
    let config = Config::from_env()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => crate::serve::serve(config).await,
        Command::Migrate => {
            let pool = config.pool(2, None).await?;
            sqlx::migrate!("../migrations").run(&pool).await.context("migrating the database")?;
            eprintln!("database is up to date");
            Ok(())
        }
        Command::Workspace { command: WorkspaceCommand::Create { slug, name, currency, timezone } } => {
            let pool = config.pool(2, None).await?;
            let ws = db::create_workspace(&pool, &slug, &name, &currency, &timezone).await.map_err(explain)?;
            eprintln!(
                "created workspace {} ({}), base currency {}, time zone {}",
                ws.slug, ws.name, ws.base_currency, ws.time_zone
            );
            Ok(())
        }
        Command::User { command: UserCommand::Create { workspace, email, role } } => {
            let pool = config.pool(2, None).await?;
            let ws = workspace_named(&pool, &workspace).await?;
            let hash = match db::user_id_by_email(&pool, &email).await.map_err(explain)? {
                Some(_) => {
                    eprintln!("{email} already has an account; adding it to {workspace} with its current password");
                    None
                }
                None => Some(secrets::hash_password(&read_password()?).map_err(explain)?),
            };
            db::add_member(&pool, ws.id, &email, role, hash.as_deref()).await.map_err(explain)?;
            eprintln!("{email} is now {role} of {workspace}");
            Ok(())
        }
        Command::ApiKey { command: ApiKeyCommand::Create { workspace, name } } => {
            let pool = config.pool(2, None).await?;
            let ws = workspace_named(&pool, &workspace).await?;
            let key = db::create_api_key(&pool, ws.id, &name, None).await.map_err(explain)?;
            println!("{key}");
            Ok(())
        }
        Command::Channel {
            command: ChannelCommand::Create { workspace, key, kind, name, secret, api_base_url, access_token },
        } => {
            let pool = config.pool(2, None).await?;
            let ws = workspace_named(&pool, &workspace).await?;
            let connection = Connection {
                name: name.unwrap_or_else(|| key.clone()),
                secret,
                api_base_url,
                access_token,
                amazon: None,
            };
            let channel = app::channels::db::create(&pool, ws.id, &key, kind, &connection).await.map_err(explain)?;
            eprintln!("created the {} channel {} ({})", channel.kind.label(), channel.key, channel.name);
            if let Some(path) = channel.hook_path {
                println!("{path}");
            }
            Ok(())
        }
        Command::Segments { command: SegmentsCommand::Refresh { workspace } } => {
            let pool = config.pool(2, None).await?;
            let mut failed = 0;
            for (slug, refreshed) in
                crate::refresh::refresh_segments(&pool, &config.clock, workspace.as_deref()).await?
            {
                match refreshed {
                    Ok(took) => eprintln!("refreshed the segments of {slug} in {:.2} s", took.as_secs_f64()),
                    Err(error) => {
                        failed += 1;
                        eprintln!("could not refresh the segments of {slug}: {error}");
                    }
                }
            }
            if failed > 0 {
                bail!("{failed} workspace(s) could not be refreshed; see the messages above");
            }
            Ok(())
        }
        Command::Duplicates { command: DuplicatesCommand::Scan { workspace } } => {
            let pool = config.pool(2, None).await?;
            for ws in crate::refresh::workspaces(&pool, workspace.as_deref()).await? {
                let started = std::time::Instant::now();
                let mut progress = |step: &str| eprintln!("{}: {step}", ws.slug);
                let done = app::duplicates::db::scan(&pool, ws.id, config.clock.now(), &mut progress)
                    .await
                    .map_err(explain)?;
                eprintln!(
                    "{}: {} customers, {} candidate pairs compared, {} possible duplicates listed in {:.1} s",
                    ws.slug,
                    done.customers,
                    done.candidates,
                    done.listed,
                    started.elapsed().as_secs_f64()
                );
            }
            Ok(())
        }
        Command::Seed(args) => {
            let pool = config.pool(4, None).await?;
            crate::seed::run(&pool, &config.clock, args).await
        }
    }
}

async fn workspace_named(pool: &sqlx::PgPool, slug: &str) -> Result<app::accounts::Workspace> {
    match db::workspace_by_slug(pool, slug).await {
        Err(AppError::NotFound) => bail!("there is no workspace {slug:?}; create it with `server workspace create`"),
        other => other.map_err(explain),
    }
}

/// Field errors as a person reads them: "--slug: …".
fn explain(error: AppError) -> anyhow::Error {
    match error {
        AppError::Invalid(fields) => anyhow::anyhow!(
            fields.iter().map(|f| format!("--{}: {}", f.path, f.message)).collect::<Vec<_>>().join("\n")
        ),
        other => anyhow::anyhow!(other),
    }
}

fn read_password() -> Result<String> {
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let second = rpassword::prompt_password("Password again: ")?;
        if first != second {
            bail!("the passwords differ");
        }
        first
    } else {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).context("reading the password from standard input")?;
        text.lines().next().unwrap_or("").to_string()
    };
    if password.is_empty() {
        bail!("no password given on standard input");
    }
    Ok(password)
}
