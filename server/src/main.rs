//! `inzage`: the portal's one binary.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use server::{AppState, config::Settings, http, platform::db};

/// Inzage: a privacy rights portal for a municipality's social domain.
#[derive(Parser)]
#[command(
    name = "inzage",
    version,
    about = "Inzage: a privacy rights portal for a municipality's social domain"
)]
struct Cli {
    /// Settings file; `INZAGE_*` environment variables override it.
    #[arg(
        long,
        short,
        env = "INZAGE_CONFIG",
        default_value = "inzage.toml",
        global = true
    )]
    config: PathBuf,
    /// What to do; `serve` when omitted (as `cargo leptos serve` runs it).
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal (in dev mode, pending migrations are applied first).
    Serve,
    /// Apply pending database migrations.
    Migrate,
    /// Create the demo municipality (dev mode only; idempotent).
    SeedDemo {
        /// Also add this many synthetic citizens from a fixed seed (the first has 2,000
        /// records and 300 disclosures: the benchmark subject).
        #[arg(long, default_value_t = 0)]
        scale: u64,
    },
    /// The scale benchmark's data (dev mode only, a new database): the demo municipality plus
    /// synthetic citizens with, unless set, 50 records, 5 disclosures and 100 log lines each, and
    /// a request for one in ten. The first (BSN 800000006) has 2,000 records, 300 disclosures.
    SeedScale {
        /// Synthetic citizens.
        #[arg(long, default_value_t = 1_000_000)]
        citizens: u64,
        /// Records in all (default 50 per citizen).
        #[arg(long)]
        records: Option<u64>,
        /// Disclosures in all (default 5 per citizen).
        #[arg(long)]
        disclosures: Option<u64>,
        /// Processing log lines in all (default 100 per citizen).
        #[arg(long)]
        log_lines: Option<u64>,
        /// Requests (default one per ten citizens).
        #[arg(long)]
        requests: Option<u64>,
    },
    /// Validate the settings and print them with secrets redacted.
    CheckConfig,
    /// API tokens of source systems.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// The staff audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token for a source system (created too if new); the token is printed once.
    Create {
        /// Name of the source system, e.g. `Wmo`.
        #[arg(long)]
        source: String,
        /// Owning department, for a new source system.
        #[arg(long, default_value = "Sociaal Domein")]
        department: String,
        /// Mode, for a new source system.
        #[arg(long, default_value_t = server::sources::systems::SourceMode::Managed)]
        mode: server::sources::systems::SourceMode,
        /// May maintain the register of processing activities.
        #[arg(long)]
        admin: bool,
        /// What the token is for, e.g. the host that uses it.
        #[arg(long, default_value = "")]
        label: String,
    },
    /// Revoke a token by id (see `list`).
    Revoke {
        /// The token's id.
        id: i64,
    },
    /// List tokens (ids, sources, state; never the tokens themselves).
    List,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check every event against the chain and the signed checkpoints, and (`--checkpoint`) an
    /// exported checkpoint; name the first position that does not hold (exit code 1).
    Verify {
        /// A checkpoint file exported from Toezicht or by `audit checkpoint`.
        #[arg(long)]
        checkpoint: Option<std::path::PathBuf>,
    },
    /// Seal the events not sealed yet now, instead of waiting for the next round.
    Seal,
    /// Print the latest checkpoint as a file to keep outside the portal.
    Checkpoint,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            // One line an operator can act on (it names the setting), never a backtrace.
            eprintln!("inzage: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(&cli.config).context("refusing to start: invalid settings")?;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into());
    match settings.log_format {
        server::config::LogFormat::Text => {
            tracing_subscriber::fmt().with_env_filter(filter).init();
        }
        // One object a line, with the request's span (method, path, request id) in each.
        server::config::LogFormat::Json => {
            tracing_subscriber::fmt()
                .json()
                .with_current_span(true)
                .with_span_list(false)
                .with_env_filter(filter)
                .init();
        }
    }
    match cli.command.unwrap_or(Command::Serve) {
        Command::CheckConfig => {
            println!("{}", settings.redacted());
            println!("settings are valid");
            // PostgreSQL's role, when the database can be reached: warnings, not refusals.
            if settings.database_url.starts_with("postgres") {
                match db::connect(&settings.database_url).await {
                    Ok(db) => {
                        for warning in db::privilege_warnings(&db).await? {
                            eprintln!("warning: {warning}");
                        }
                    }
                    Err(e) => eprintln!("warning: {e:#}"),
                }
            }
            Ok(())
        }
        Command::Migrate => {
            let db = db::connect(&settings.database_url).await?;
            db::migrate(&db).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::SeedDemo { scale } => {
            anyhow::ensure!(
                settings.mode == server::config::Mode::Dev,
                "mode: seed-demo only runs in dev mode"
            );
            let db = db::connect(&settings.database_url).await?;
            db::migrate(&db).await?;
            let vault = server::platform::crypto::Vault::new(&settings.secrets)
                .map_err(anyhow::Error::msg)?;
            let count = server::dev::demo::seed_citizens(&db, &vault).await?;
            let items = server::dev::demo::seed(&db, &vault).await?;
            let requests = server::dev::demo::seed_requests(&db, &settings, &vault).await?;
            println!(
                "demo municipality seeded: {count} citizens, {items} new register and data items, {requests} requests"
            );
            if let Some(bsn) = server::dev::demo::seed_scale(&db, &vault, scale).await? {
                println!(
                    "{scale} synthetic citizens added; the benchmark subject logs in with BSN {bsn}"
                );
            }
            Ok(())
        }
        Command::SeedScale {
            citizens,
            records,
            disclosures,
            log_lines,
            requests,
        } => {
            anyhow::ensure!(
                settings.mode == server::config::Mode::Dev,
                "mode: seed-scale only runs in dev mode"
            );
            let db = db::connect(&settings.database_url).await?;
            db::migrate(&db).await?;
            let vault = server::platform::crypto::Vault::new(&settings.secrets)
                .map_err(anyhow::Error::msg)?;
            let mut sizes = server::dev::scale::Sizes::proportional(citizens);
            sizes.records = records.unwrap_or(sizes.records);
            sizes.disclosures = disclosures.unwrap_or(sizes.disclosures);
            sizes.log_lines = log_lines.unwrap_or(sizes.log_lines);
            sizes.requests = requests.unwrap_or(sizes.requests);
            let started = std::time::Instant::now();
            let seeded =
                server::dev::scale::seed(&db, &settings, &vault, sizes, &|line| println!("{line}"))
                    .await?;
            println!(
                "seeded in {:.0} s: {} citizens, {} records, {} disclosures, {} log lines, {} requests; \
                 the benchmark subject logs in with BSN {}",
                started.elapsed().as_secs_f64(),
                seeded.citizens,
                seeded.records,
                seeded.disclosures,
                seeded.log_lines,
                seeded.requests,
                seeded.subject_bsn
            );
            Ok(())
        }
        Command::Token { command } => {
            let db = db::connect(&settings.database_url).await?;
            db::ensure_migrated(&db).await?;
            match command {
                TokenCommand::Create {
                    source,
                    department,
                    mode,
                    admin,
                    label,
                } => {
                    let source_id =
                        server::sources::systems::ensure_source(&db, &source, &department, mode)
                            .await?;
                    let (id, token) =
                        server::sources::systems::create_token(&db, source_id, admin, &label)
                            .await?;
                    println!(
                        "token {id} for source {source}{}:",
                        if admin { " (admin)" } else { "" }
                    );
                    println!("{token}");
                    eprintln!("Store it now: Inzage keeps only its hash and cannot show it again.");
                }
                TokenCommand::Revoke { id } => {
                    anyhow::ensure!(
                        server::sources::systems::revoke_token(&db, id).await?,
                        "no active token with id {id}"
                    );
                    println!("token {id} revoked");
                }
                TokenCommand::List => {
                    for (token, source) in server::sources::systems::list_tokens(&db).await? {
                        let state = match token.revoked_at {
                            Some(at) => format!("revoked {}", at.format("%Y-%m-%d %H:%M")),
                            None => "active".to_owned(),
                        };
                        println!(
                            "{:>4}  {:<20} {:<6} {:<22} {}",
                            token.id,
                            source,
                            if token.is_admin { "admin" } else { "" },
                            state,
                            token.label
                        );
                    }
                }
            }
            Ok(())
        }
        Command::Audit { command } => {
            let db = db::connect(&settings.database_url).await?;
            db::ensure_migrated(&db).await?;
            audit_command(&db, &settings, command).await
        }
        Command::Serve => serve(settings).await,
    }
}

async fn audit_command(
    db: &sea_orm::DatabaseConnection,
    settings: &Settings,
    command: AuditCommand,
) -> anyhow::Result<()> {
    use server::platform::audit;
    let key = settings.secrets.audit_key();
    match command {
        AuditCommand::Verify { checkpoint } => {
            let external = match checkpoint {
                Some(path) => {
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("reading {}", path.display()))?;
                    Some(
                        serde_json::from_str::<audit::CheckpointFile>(&text).with_context(
                            || format!("{} is not a checkpoint file", path.display()),
                        )?,
                    )
                }
                None => None,
            };
            match audit::verify(db, &key, external.as_ref()).await? {
                Ok(verified) => {
                    println!(
                        "audit log intact: {} events checked against {} signed checkpoints{}; \
                         {} recent events await sealing",
                        verified.events,
                        verified.checkpoints,
                        external
                            .map(|f| format!(" and the exported checkpoint {}", f.sequence))
                            .unwrap_or_default(),
                        verified.unsealed
                    );
                    Ok(())
                }
                Err(broken) => anyhow::bail!("audit log broken at {broken}"),
            }
        }
        AuditCommand::Seal => {
            match audit::seal(db, &key, chrono::Utc::now()).await? {
                Some(c) => println!("sealed: checkpoint {} covers {} events", c.id, c.events),
                None => println!("nothing to seal (or another instance is sealing)"),
            }
            Ok(())
        }
        AuditCommand::Checkpoint => {
            let latest = audit::latest_checkpoint(db)
                .await?
                .context("no checkpoint yet: run `inzage audit seal` first")?;
            println!(
                "{}",
                serde_json::to_string_pretty(&audit::CheckpointFile::new(&latest, &key))?
            );
            Ok(())
        }
    }
}

/// Leptos' options. No page loads WASM, so a plain `cargo build` is the whole site and only the
/// output name is needed; under `cargo leptos`, which sets `LEPTOS_*`, those settings apply.
fn leptos_options() -> anyhow::Result<leptos::config::LeptosOptions> {
    if std::env::var_os("LEPTOS_OUTPUT_NAME").is_none()
        && option_env!("LEPTOS_OUTPUT_NAME").is_none()
    {
        return Ok(leptos::config::LeptosOptions::builder()
            .output_name("inzage")
            .build());
    }
    Ok(leptos::config::get_configuration(None)
        .context("reading Leptos' site settings (LEPTOS_SITE_ROOT and friends)")?
        .leptos_options)
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let db = db::connect(&settings.database_url).await?;
    if settings.mode == server::config::Mode::Dev {
        db::migrate(&db).await?;
    } else {
        db::ensure_migrated(&db).await?;
    }
    let leptos_options = leptos_options()?;
    let listen = settings.listen_addr;
    let dev_idp = settings.dev_idp_enabled();
    let metrics_addr = settings.metrics_listen_addr;
    let state = AppState::new(settings, db, leptos_options).await?;
    server::spawn_background_jobs(&state)?;
    if let Some(addr) = metrics_addr {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("metrics_listen_addr: cannot listen on {addr}"))?;
        tracing::info!(%addr, "metrics at /metrics");
        let metrics = server::platform::metrics::router(state.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, metrics).await {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        });
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listen_addr: cannot listen on {listen}"))?;
    tracing::info!(%listen, dev_idp, "Inzage is listening");
    // The peer address keys the login rate limit (unless a proxy header is configured).
    axum::serve(
        listener,
        http::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .context("serving HTTP")
}
