//! "Wie gebruikte mijn gegevens": the processing log lines about the citizen, from every source
//! system and from the portal itself.

use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::{PORTAL_ACTIVITY, SharedFilter, Visibility, register, visibility::Screen};
use crate::entities::processing_log_lines;

/// "Wie gebruikte mijn gegevens", after writing the line that records this very look.
pub async fn usage(
    db: &DatabaseConnection,
    citizen_id: i64,
    visibility: Visibility,
    filter: &SharedFilter,
    processor: &str,
) -> Result<app::models::UsageView, DbErr> {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let Some(citizen) = crate::entities::citizens::Entity::find_by_id(citizen_id)
        .one(db)
        .await?
    else {
        return Ok(Default::default());
    };
    let now = chrono::Utc::now();
    processing_log_lines::ActiveModel {
        trace_id: Set(crate::platform::crypto::random_hex(16)),
        span_id: Set(crate::platform::crypto::random_hex(8)),
        parent_span_id: Set(None),
        name: Set("U bekeek wie uw gegevens gebruikte".to_owned()),
        status: Set(types::SpanStatus::Ok),
        start_time: Set(now),
        end_time: Set(now),
        activity_code: Set(PORTAL_ACTIVITY.to_owned()),
        subject_pseudonym: Set(citizen.bsn_pseudonym.clone()),
        source_system_id: Set(None),
        processor: Set(processor.to_owned()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let register = register(db).await?;
    let lines = processing_log_lines::Entity::find()
        .filter(processing_log_lines::Column::SubjectPseudonym.eq(citizen.bsn_pseudonym))
        .order_by_desc(processing_log_lines::Column::StartTime)
        .order_by_desc(processing_log_lines::Column::Id)
        .all(db)
        .await?;
    let period = filter.period();
    let mut screen = Screen::new(visibility);
    let mut shown_lines = Vec::new();
    for line in lines {
        let Some(activity) = screen.admit(register.activities.get(&line.activity_code), false, 1)
        else {
            continue;
        };
        if !period.contains(line.start_time.date_naive()) {
            continue;
        }
        shown_lines.push(app::models::UsageLine {
            when: line.start_time.format("%Y-%m-%dT%H:%M").to_string(),
            name: line.name,
            activity: activity.name.clone(),
            processor: line.processor,
            status: line.status,
        });
    }
    Ok(app::models::UsageView {
        lines: shown_lines,
        filter_from: period.from.map(|d| d.to_string()),
        filter_to: period.to.map(|d| d.to_string()),
        withheld_for_level: screen.withheld(),
    })
}
