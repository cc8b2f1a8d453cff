//! The database: one sea-orm connection for SQLite (default) and PostgreSQL.

use std::time::Duration;

use anyhow::Context;
use migrations::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};

/// Connects; on SQLite with WAL, foreign keys on and a busy timeout so writers wait, not fail.
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10));
    if url.starts_with("sqlite:") {
        options.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .create_if_missing(true)
        });
    }
    Database::connect(options)
        .await
        .with_context(|| format!("connecting to the database ({})", redact(url)))
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .context("applying database migrations")
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// Refuses to run against a database with pending migrations (production applies them explicitly).
pub async fn ensure_migrated(db: &DatabaseConnection) -> anyhow::Result<()> {
    let pending = Migrator::get_pending_migrations(db)
        .await
        .context("reading the migration status")?;
    anyhow::ensure!(
        pending.is_empty(),
        "database_url: {} migration(s) pending; run `inzage migrate` first",
        pending.len()
    );
    Ok(())
}

/// What the database role could do that the portal never needs, and that would let someone
/// with its password undo the audit log's protection: own tables (and so drop their triggers),
/// truncate, or be a superuser. Empty on SQLite, where the file's permissions are the boundary.
pub async fn privilege_warnings(db: &DatabaseConnection) -> anyhow::Result<Vec<String>> {
    use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(Vec::new());
    }
    let row = db
        .query_one_raw(Statement::from_string(
            DatabaseBackend::Postgres,
            "SELECT current_user::text AS role, \
               (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser, \
               (SELECT count(*) FROM pg_tables \
                 WHERE schemaname = current_schema() AND tableowner = current_user) AS owned, \
               (SELECT count(*) FROM pg_tables \
                 WHERE schemaname = current_schema() \
                   AND has_table_privilege(current_user, \
                         format('%I.%I', schemaname, tablename), 'TRUNCATE')) AS truncatable, \
               has_schema_privilege(current_user, current_schema(), 'CREATE') AS can_create",
        ))
        .await
        .context("reading the database role's privileges")?
        .context("reading the database role's privileges: no answer")?;
    let role: String = row.try_get("", "role")?;
    let mut warnings = Vec::new();
    if row.try_get::<bool>("", "superuser")? {
        warnings.push(format!(
            "database_url: role {role} is a superuser; the portal should run as a role that \
             owns nothing (README: database roles)"
        ));
    }
    let owned: i64 = row.try_get("", "owned")?;
    if owned > 0 {
        warnings.push(format!(
            "database_url: role {role} owns {owned} tables, so it can drop the audit log's \
             triggers; run migrations as another role and grant this one only what it needs"
        ));
    }
    let truncatable: i64 = row.try_get("", "truncatable")?;
    if truncatable > 0 {
        warnings.push(format!(
            "database_url: role {role} may TRUNCATE {truncatable} tables; revoke TRUNCATE"
        ));
    }
    if row.try_get::<bool>("", "can_create")? {
        warnings.push(format!(
            "database_url: role {role} may create objects in the schema; revoke CREATE"
        ));
    }
    Ok(warnings)
}
