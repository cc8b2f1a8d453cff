//! Citizens and staff as the portal knows them: found by pseudonym or by issuer and subject.

use crate::identity::BsnVault;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, QueryFilter, sea_query::OnConflict,
};

use crate::{
    entities::{citizens, staff_accounts},
    identity::{AssuranceLevel, Bsn, StaffRole},
    platform::crypto::Vault,
};
use app::models::{CitizenSummary, StaffSummary};

/// Finds the citizen with this BSN by pseudonym, creating them on first sight; returns the id.
pub async fn find_or_create_citizen<C: ConnectionTrait>(
    db: &C,
    vault: &Vault,
    bsn: &Bsn,
    name: Option<&str>,
) -> Result<i64, DbErr> {
    let pseudonym = vault.pseudonym(bsn);
    // Insert-or-ignore, then read: two first logins at once both end on the same row.
    citizens::Entity::insert(citizens::ActiveModel {
        bsn_pseudonym: Set(pseudonym.clone()),
        bsn_ciphertext: Set(vault.encrypt_bsn(bsn)),
        display_name: Set(name.map(str::to_owned)),
        created_at: Set(Utc::now()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(citizens::Column::BsnPseudonym)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    let citizen = citizens::Entity::find()
        .filter(citizens::Column::BsnPseudonym.eq(pseudonym))
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("citizen just inserted".to_owned()))?;
    if let Some(name) = name
        && citizen.display_name.as_deref() != Some(name)
    {
        let mut active: citizens::ActiveModel = citizen.clone().into();
        active.display_name = Set(Some(name.to_owned()));
        active.update(db).await?;
    }
    Ok(citizen.id)
}

/// Records a citizen's login.
pub async fn citizen_logged_in(
    db: &DatabaseConnection,
    vault: &Vault,
    bsn: &Bsn,
) -> Result<i64, DbErr> {
    let id = find_or_create_citizen(db, vault, bsn, None).await?;
    citizens::Entity::update_many()
        .col_expr(
            citizens::Column::LastLoginAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(citizens::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(id)
}

/// Records a login in which `representative` acts for `represented` (a machtiging): the
/// representative's login, the represented person's row, and an audit event naming both.
/// Returns the represented person's id and who acts for them.
pub async fn representation_logged_in(
    db: &DatabaseConnection,
    vault: &Vault,
    represented: &Bsn,
    representative: &Bsn,
    mandate: Option<String>,
) -> Result<(i64, super::Acting), DbErr> {
    let acting_id = citizen_logged_in(db, vault, representative).await?;
    let citizen_id = find_or_create_citizen(db, vault, represented, None).await?;
    crate::platform::audit::append(
        db,
        &crate::platform::audit::AuditEntry {
            actor: crate::platform::audit::Actor::Citizen(acting_id),
            action: "login.on_behalf".to_owned(),
            citizen_id: Some(citizen_id),
            details: serde_json::json!({ "on_behalf_of": citizen_id, "mandate": mandate }),
        },
    )
    .await?;
    Ok((
        citizen_id,
        super::Acting {
            citizen_id: acting_id,
            mandate,
        },
    ))
}

/// What the pages may show of a logged-in citizen.
pub async fn citizen_summary(
    db: &DatabaseConnection,
    vault: &Vault,
    citizen_id: i64,
    level: AssuranceLevel,
    on_behalf: bool,
) -> Result<Option<CitizenSummary>, DbErr> {
    let Some(citizen) = citizens::Entity::find_by_id(citizen_id).one(db).await? else {
        return Ok(None);
    };
    let masked_bsn = match vault.decrypt_bsn(&citizen.bsn_ciphertext) {
        Ok(bsn) => bsn.masked(),
        Err(_) => {
            tracing::error!(citizen_id, "stored BSN does not decrypt");
            return Ok(None);
        }
    };
    Ok(Some(CitizenSummary {
        name: citizen.display_name,
        masked_bsn,
        level,
        on_behalf,
    }))
}

/// Records a staff login: creates or updates the account with the roles the provider asserted.
pub async fn staff_logged_in(
    db: &DatabaseConnection,
    issuer: &str,
    subject: &str,
    name: &str,
    email: Option<&str>,
    roles: &[StaffRole],
) -> Result<i64, DbErr> {
    let roles_text = roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let now = Utc::now();
    staff_accounts::Entity::insert(staff_accounts::ActiveModel {
        issuer: Set(issuer.to_owned()),
        subject: Set(subject.to_owned()),
        display_name: Set(name.to_owned()),
        email: Set(email.map(str::to_owned)),
        roles: Set(roles_text),
        created_at: Set(now),
        last_login_at: Set(Some(now)),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            staff_accounts::Column::Issuer,
            staff_accounts::Column::Subject,
        ])
        .update_columns([
            staff_accounts::Column::DisplayName,
            staff_accounts::Column::Email,
            staff_accounts::Column::Roles,
            staff_accounts::Column::LastLoginAt,
        ])
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    staff_accounts::Entity::find()
        .filter(staff_accounts::Column::Issuer.eq(issuer))
        .filter(staff_accounts::Column::Subject.eq(subject))
        .one(db)
        .await?
        .map(|s| s.id)
        .ok_or_else(|| DbErr::RecordNotFound("staff account just upserted".to_owned()))
}

/// What the pages may show of a logged-in staff member.
pub async fn staff_summary(
    db: &DatabaseConnection,
    staff_id: i64,
    roles: &[StaffRole],
) -> Result<Option<StaffSummary>, DbErr> {
    Ok(staff_accounts::Entity::find_by_id(staff_id)
        .one(db)
        .await?
        .map(|s| StaffSummary {
            name: s.display_name,
            roles: roles.to_vec(),
        }))
}
