//! Server-side sessions in the database (tower-sessions with a sea-orm store), so any instance
//! serves any request. The cookie holds only a random id; the table holds its SHA-256.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    sea_query::{Expr, OnConflict},
};
use tower_sessions::{
    SessionStore,
    session::{Id, Record},
    session_store::{self, ExpiredDeletion},
};

use crate::{entities::sessions, platform::crypto::sha256_hex};

/// Slack on a session's stored expiry. Each write keeps the session this much beyond the idle
/// time, and a request with unchanged data writes nothing while the stored expiry still covers a
/// full idle period. Without it every page view is a database write, which on SQLite queues all
/// requests behind one writer. The cookie still expires after exactly the idle time; the row may
/// outlive it by at most this slack.
pub const EXTEND_SLACK_SECONDS: i64 = 30;

/// A [`SessionStore`] on the `sessions` table.
#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: DatabaseConnection,
    /// What each session in flight looked like when this instance loaded it: its data as
    /// stored and its expiry. Only a request's own load-then-save uses it, so a second
    /// instance needs nothing from it; entries leave at the last save or at delete.
    loaded: Loaded,
}

/// A session's data as tower-sessions holds it (compared as values: its JSON text has no fixed
/// key order).
type Data = HashMap<String, serde_json::Value>;

/// A session in flight on this instance.
#[derive(Debug)]
struct InFlight {
    /// Data and stored expiry as loaded; `None` once a second request loaded the same session,
    /// since it is then unknown which load a save belongs to.
    snapshot: Option<(Data, DateTime<Utc>)>,
    /// Requests that loaded it and have not saved yet.
    requests: u32,
}

/// Sessions in flight, by id hash.
type Loaded = std::sync::Arc<std::sync::Mutex<HashMap<String, InFlight>>>;

/// Bound on [`DbSessionStore::loaded`]: requests that load a session and never save it (an error
/// on the way) must not grow it without end.
const LOADED_LIMIT: usize = 10_000;

impl DbSessionStore {
    /// A store on this connection.
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            loaded: Default::default(),
        }
    }

    fn remember(&self, key: String, data: Data, expires_at: DateTime<Utc>) {
        let mut loaded = self
            .loaded
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if loaded.len() >= LOADED_LIMIT {
            loaded.clear();
        }
        loaded
            .entry(key)
            .and_modify(|f| {
                f.requests += 1;
                f.snapshot = None;
            })
            .or_insert(InFlight {
                snapshot: Some((data, expires_at)),
                requests: 1,
            });
    }

    /// What the one request in flight loaded; `None` when several were (or none is known), so
    /// the caller writes.
    fn forget(&self, key: &str) -> Option<(Data, DateTime<Utc>)> {
        let mut loaded = self
            .loaded
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let flight = loaded.get_mut(key)?;
        if flight.requests > 1 {
            flight.requests -= 1;
            return None;
        }
        loaded.remove(key).and_then(|f| f.snapshot)
    }
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn to_chrono(t: time::OffsetDateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(t.unix_timestamp(), t.nanosecond()).unwrap_or_default()
}

fn to_time(t: DateTime<Utc>) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(t.timestamp())
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

fn key(id: &Id) -> String {
    sha256_hex(&id.to_string())
}

impl DbSessionStore {
    fn row(record: &Record) -> session_store::Result<sessions::ActiveModel> {
        Ok(sessions::ActiveModel {
            id_hash: Set(key(&record.id)),
            data: Set(serde_json::to_string(&record.data).map_err(backend)?),
            expires_at: Set(to_chrono(record.expiry_date)),
        })
    }
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A 128-bit random id colliding is not expected; if it does, draw a new one.
        loop {
            let inserted = sessions::Entity::insert(Self::row(record)?)
                .on_conflict(
                    OnConflict::column(sessions::Column::IdHash)
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(&self.db)
                .await
                .map_err(backend)?;
            if inserted == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        // Only ever an UPDATE: a session that logout (or an id cycle) deleted while another
        // request was in flight stays deleted, and a made-up id in a cookie never becomes a row.
        let wanted = to_chrono(record.expiry_date);
        let key = key(&record.id);
        if let Some((stored, stored_expiry)) = self.forget(&key)
            && stored == record.data
            && stored_expiry >= wanted
        {
            return Ok(());
        }
        let data = serde_json::to_string(&record.data).map_err(backend)?;
        let expires_at = wanted + chrono::Duration::seconds(EXTEND_SLACK_SECONDS);
        sessions::Entity::update_many()
            .col_expr(sessions::Column::Data, Expr::value(data))
            .col_expr(sessions::Column::ExpiresAt, Expr::value(expires_at))
            .filter(sessions::Column::IdHash.eq(key))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let key = key(id);
        let Some(row) = sessions::Entity::find_by_id(key.clone())
            .filter(sessions::Column::ExpiresAt.gt(Utc::now()))
            .one(&self.db)
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let record = Record {
            id: *id,
            data: serde_json::from_str(&row.data)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?,
            expiry_date: to_time(row.expires_at),
        };
        self.remember(key, record.data.clone(), row.expires_at);
        Ok(Some(record))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let key = key(id);
        self.loaded
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&key);
        sessions::Entity::delete_by_id(key)
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        sessions::Entity::delete_many()
            .filter(sessions::Column::ExpiresAt.lte(Utc::now()))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
