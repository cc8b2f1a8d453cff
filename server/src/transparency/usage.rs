//! "Wie gebruikte mijn gegevens": the processing log lines about the citizen, from every source
//! system and from the portal itself.

use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::{PORTAL_ACTIVITY, SharedFilter, Visibility, register, visibility::Screen};
use crate::entities::processing_log_lines;

/// "Wie gebruikte mijn gegevens", after writing the line that records this very look (by the
/// citizen, or `on_behalf` by someone they authorised).
pub async fn usage(
    db: &DatabaseConnection,
    citizen_id: i64,
    visibility: Visibility,
    filter: &SharedFilter,
    processor: &str,
    on_behalf: bool,
) -> Result<app::models::UsageView, DbErr> {
    let Some(citizen) = crate::entities::citizens::Entity::find_by_id(citizen_id)
        .one(db)
        .await?
    else {
        return Ok(Default::default());
    };
    let name = if on_behalf {
        "Uw gemachtigde bekeek namens u wie uw gegevens gebruikte"
    } else {
        "U bekeek wie uw gegevens gebruikte"
    };
    write_portal_line(
        db,
        &citizen.bsn_pseudonym,
        name,
        processor,
        chrono::Utc::now(),
    )
    .await?;
    let period = filter.period();
    let (lines, withheld) = screened(db, &citizen.bsn_pseudonym, visibility).await?;
    let shown_lines = lines
        .into_iter()
        .filter(|(line, _)| period.contains(line.start_time.date_naive()))
        .map(|(line, activity)| app::models::UsageLine {
            when: line.start_time.format("%Y-%m-%dT%H:%M").to_string(),
            name: line.name,
            activity,
            processor: line.processor,
            status: line.status,
        })
        .collect();
    Ok(app::models::UsageView {
        lines: shown_lines,
        filter_from: period.from.map(|d| d.to_string()),
        filter_to: period.to.map(|d| d.to_string()),
        withheld_for_level: withheld,
    })
}

/// Writes a line of the portal's own processing about the citizen `citizen_id`, for their
/// "Wie gebruikte mijn gegevens" (a step someone took for them, say).
pub async fn log_portal_step<C: sea_orm::ConnectionTrait>(
    db: &C,
    citizen_id: i64,
    name: &str,
    processor: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbErr> {
    let Some(citizen) = crate::entities::citizens::Entity::find_by_id(citizen_id)
        .one(db)
        .await?
    else {
        return Ok(());
    };
    write_portal_line(db, &citizen.bsn_pseudonym, name, processor, at).await
}

async fn write_portal_line<C: sea_orm::ConnectionTrait>(
    db: &C,
    pseudonym: &str,
    name: &str,
    processor: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbErr> {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    processing_log_lines::ActiveModel {
        trace_id: Set(crate::platform::crypto::random_hex(16)),
        span_id: Set(crate::platform::crypto::random_hex(8)),
        parent_span_id: Set(None),
        name: Set(name.to_owned()),
        status: Set(types::SpanStatus::Ok),
        start_time: Set(at),
        end_time: Set(at),
        activity_code: Set(PORTAL_ACTIVITY.to_owned()),
        subject_pseudonym: Set(pseudonym.to_owned()),
        source_system_id: Set(None),
        processor: Set(processor.to_owned()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The log lines about one subject that the citizen may see at this login, newest first, each
/// with its activity's name; and how many were withheld for the level of assurance.
async fn screened(
    db: &DatabaseConnection,
    pseudonym: &str,
    visibility: Visibility,
) -> Result<(Vec<(processing_log_lines::Model, String)>, usize), DbErr> {
    let register = register(db).await?;
    let lines = processing_log_lines::Entity::find()
        .filter(processing_log_lines::Column::SubjectPseudonym.eq(pseudonym))
        .order_by_desc(processing_log_lines::Column::StartTime)
        .order_by_desc(processing_log_lines::Column::Id)
        .all(db)
        .await?;
    let mut screen = Screen::new(visibility);
    let mut shown = Vec::new();
    for line in lines {
        if let Some(activity) = screen.admit(register.activities.get(&line.activity_code), false, 1)
        {
            let name = activity.name.clone();
            shown.push((line, name));
        }
    }
    Ok((shown, screen.withheld()))
}

/// The citizen's processing log in the fields of the Logboek Dataverwerkingen standard (its
/// "Extensie Inzage" read side), for the JSON download: the lines "Wie gebruikte mijn
/// gegevens" shows at this login, screened the same way. The subject is left out: it is the
/// citizen themself, and the standard never lets the number travel in the clear.
pub async fn logboek(
    db: &DatabaseConnection,
    citizen_id: i64,
    visibility: Visibility,
) -> Result<Vec<serde_json::Value>, DbErr> {
    let Some(citizen) = crate::entities::citizens::Entity::find_by_id(citizen_id)
        .one(db)
        .await?
    else {
        return Ok(Vec::new());
    };
    let (lines, _) = screened(db, &citizen.bsn_pseudonym, visibility).await?;
    Ok(lines
        .into_iter()
        .map(|(line, activity)| {
            let foreign_operation = match (
                line.foreign_trace_id,
                line.foreign_span_id,
                line.foreign_entity,
            ) {
                (Some(trace_id), Some(operation_id), Some(entity)) => serde_json::json!({
                    "trace_id": trace_id, "operation_id": operation_id, "entity": entity,
                }),
                _ => serde_json::Value::Null,
            };
            serde_json::json!({
                "trace_id": line.trace_id,
                "operation_id": line.span_id,
                "parent_operation_id": line.parent_span_id,
                "name": line.name,
                "status_code": match line.status {
                    types::SpanStatus::Ok => "STATUS_CODE_OK",
                    types::SpanStatus::Error => "STATUS_CODE_ERROR",
                },
                "start_time": line.start_time,
                "end_time": line.end_time,
                "foreign_operation": foreign_operation,
                "resource": { "attributes": { "processor": line.processor } },
                "attributes": { "dpl.core.processing_activity_id": line.activity_code },
                "processing_activity_name": activity,
            })
        })
        .collect())
}
