//! Source systems and their API tokens. A token is shown once, at creation; only its SHA-256 is
//! kept, so a copy of the database hands out no working token.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder, sea_query::Expr,
};

use crate::{
    entities::{source_systems, source_tokens},
    platform::crypto::{random_token, sha256_hex},
};

pub use types::SourceMode;

/// Finds a source system by name, creating it when it is new; returns its id.
pub async fn ensure_source<C: ConnectionTrait>(
    db: &C,
    name: &str,
    department: &str,
    mode: SourceMode,
) -> Result<i64, DbErr> {
    if let Some(existing) = source_systems::Entity::find()
        .filter(source_systems::Column::Name.eq(name))
        .one(db)
        .await?
    {
        return Ok(existing.id);
    }
    Ok(source_systems::ActiveModel {
        name: Set(name.to_owned()),
        department: Set(department.to_owned()),
        mode: Set(mode),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?
    .id)
}

/// Creates a token for a source system and returns `(token id, token)`; the token is not stored.
pub async fn create_token<C: ConnectionTrait>(
    db: &C,
    source_system_id: i64,
    admin: bool,
    label: &str,
) -> Result<(i64, String), DbErr> {
    let token = format!("inz_{}", random_token());
    let row = source_tokens::ActiveModel {
        source_system_id: Set(source_system_id),
        token_hash: Set(sha256_hex(&token)),
        is_admin: Set(admin),
        label: Set(label.to_owned()),
        created_at: Set(Utc::now()),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((row.id, token))
}

/// Revokes a token; `false` when there is no such active token.
pub async fn revoke_token<C: ConnectionTrait>(db: &C, token_id: i64) -> Result<bool, DbErr> {
    let result = source_tokens::Entity::update_many()
        .col_expr(source_tokens::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(source_tokens::Column::Id.eq(token_id))
        .filter(source_tokens::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Every token with its source name, for `inzage token list`.
pub async fn list_tokens<C: ConnectionTrait>(
    db: &C,
) -> Result<Vec<(source_tokens::Model, String)>, DbErr> {
    let systems: std::collections::BTreeMap<i64, String> = source_systems::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    Ok(source_tokens::Entity::find()
        .order_by_asc(source_tokens::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|t| {
            let name = systems
                .get(&t.source_system_id)
                .cloned()
                .unwrap_or_default();
            (t, name)
        })
        .collect())
}
