//! When a rights request must be answered.
//!
//! GDPR Art. 12(3): "without undue delay and in any event within one month of receipt", read with
//! Regulation (EEC, Euratom) 1182/71 art. 3: the day of receipt is not counted, a period in
//! months ends at the end of the day in the last month with the same date as the day the period
//! started from (or the last day of that month when there is no such date), and a period that
//! would end on a Saturday, Sunday or public holiday ends at the end of the next working day.
//! Public holidays are those of the Dutch Algemene termijnenwet art. 3.
//!
//! One extension of at most two further months is allowed, with a reason, and only while the first
//! month runs.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};

/// The Dutch public holidays of the Algemene termijnenwet (art. 3): Nieuwjaarsdag, Tweede
/// Paasdag, Koningsdag, 5 mei, Hemelvaartsdag, Tweede Pinksterdag and both Christmas days.
/// (Eerste Paas- and Pinksterdag are Sundays anyway; Goede Vrijdag is not on the list.)
pub fn is_public_holiday(date: NaiveDate) -> bool {
    let year = date.year();
    let fixed = |month, day| NaiveDate::from_ymd_opt(year, month, day) == Some(date);
    let easter = easter_sunday(year);
    // Koningsdag is 27 April, or the 26th when the 27th is a Sunday.
    let kings_day = NaiveDate::from_ymd_opt(year, 4, 27)
        .map(|d| {
            if d.weekday() == Weekday::Sun {
                d - Duration::days(1)
            } else {
                d
            }
        })
        .is_some_and(|d| d == date);
    fixed(1, 1)
        || fixed(5, 5)
        || fixed(12, 25)
        || fixed(12, 26)
        || kings_day
        || date == easter + Duration::days(1)
        || date == easter + Duration::days(39)
        || date == easter + Duration::days(50)
}

/// Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    // The algorithm only yields March or April dates, which always exist.
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).unwrap_or_default()
}

/// Not a Saturday, Sunday or public holiday.
pub fn is_working_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !is_public_holiday(date)
}

/// `date` itself when it is a working day, else the next working day.
pub fn on_or_next_working_day(date: NaiveDate) -> NaiveDate {
    let mut day = date;
    while !is_working_day(day) {
        day += Duration::days(1);
    }
    day
}

/// The same date `months` later, or the last day of that month when the date does not exist
/// there (31 January + 1 month = 28 or 29 February).
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    let total = date.year() * 12 + date.month0() as i32 + months as i32;
    let (year, month) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
    (1..=date.day())
        .rev()
        .find_map(|day| NaiveDate::from_ymd_opt(year, month, day))
        .unwrap_or(date)
}

/// The date a request was received, in the Netherlands (Europe/Amsterdam): a request filed at
/// 00:30 on 1 March Dutch time was received on 1 March, not on 28 February.
pub fn received_on(received_at: DateTime<Utc>) -> NaiveDate {
    received_at
        .with_timezone(&chrono_tz::Europe::Amsterdam)
        .date_naive()
}

/// The first due date: one month after the day of receipt, moved to a working day.
pub fn due_date(received: NaiveDate) -> NaiveDate {
    on_or_next_working_day(add_months(received, 1))
}

/// The due date after the one allowed extension: two further months, moved to a working day.
pub fn extended_due_date(received: NaiveDate) -> NaiveDate {
    on_or_next_working_day(add_months(received, 3))
}

/// Why an extension is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExtensionRefused {
    /// The request was extended before; the law allows one extension.
    #[error("the request was extended before")]
    AlreadyExtended,
    /// The first due date has passed: an extension must be made within the first month.
    #[error("the first due date has passed")]
    TooLate,
    /// The citizen must be told why.
    #[error("an extension needs a reason")]
    NoReason,
}

/// Whether an extension may still be made `today` (reason aside): once, and only while the first
/// month runs.
pub fn may_extend(
    received: NaiveDate,
    already_extended: bool,
    today: NaiveDate,
) -> Result<(), ExtensionRefused> {
    if already_extended {
        return Err(ExtensionRefused::AlreadyExtended);
    }
    if today > due_date(received) {
        return Err(ExtensionRefused::TooLate);
    }
    Ok(())
}

/// The new due date if an extension may be made `today`.
pub fn extend(
    received: NaiveDate,
    already_extended: bool,
    today: NaiveDate,
    reason: &str,
) -> Result<NaiveDate, ExtensionRefused> {
    may_extend(received, already_extended, today)?;
    if reason.trim().is_empty() {
        return Err(ExtensionRefused::NoReason);
    }
    Ok(extended_due_date(received))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn easter_matches_known_dates() {
        assert_eq!(easter_sunday(2024), d(2024, 3, 31));
        assert_eq!(easter_sunday(2025), d(2025, 4, 20));
        assert_eq!(easter_sunday(2026), d(2026, 4, 5));
        assert_eq!(easter_sunday(2027), d(2027, 3, 28));
        assert_eq!(easter_sunday(2038), d(2038, 4, 25));
    }

    #[test]
    fn dutch_public_holidays_of_2026() {
        for holiday in [
            d(2026, 1, 1),   // Nieuwjaarsdag
            d(2026, 4, 6),   // Tweede Paasdag
            d(2026, 4, 27),  // Koningsdag (a Monday)
            d(2026, 5, 5),   // Bevrijdingsdag
            d(2026, 5, 14),  // Hemelvaartsdag
            d(2026, 5, 25),  // Tweede Pinksterdag
            d(2026, 12, 25), // Eerste Kerstdag
            d(2026, 12, 26), // Tweede Kerstdag
        ] {
            assert!(is_public_holiday(holiday), "{holiday} is a public holiday");
        }
        // Goede Vrijdag is not in the Algemene termijnenwet.
        assert!(!is_public_holiday(d(2026, 4, 3)));
        assert!(!is_public_holiday(d(2026, 4, 28)));
    }

    #[test]
    fn kings_day_moves_to_saturday_when_the_27th_is_a_sunday() {
        // 27 April 2025 was a Sunday.
        assert!(is_public_holiday(d(2025, 4, 26)));
        assert!(!is_public_holiday(d(2025, 4, 27)));
    }

    #[test]
    fn one_month_is_the_same_date_next_month() {
        // Received Wednesday 14 October 2026: 14 November is a Saturday, so Monday 16 November.
        assert_eq!(due_date(d(2026, 10, 14)), d(2026, 11, 16));
        // Received Tuesday 3 November 2026: due Thursday 3 December.
        assert_eq!(due_date(d(2026, 11, 3)), d(2026, 12, 3));
    }

    #[test]
    fn month_ends_take_the_last_day_of_the_shorter_month() {
        // 31 January 2026 + 1 month: 28 February 2026 is a Saturday → Monday 2 March.
        assert_eq!(add_months(d(2026, 1, 31), 1), d(2026, 2, 28));
        assert_eq!(due_date(d(2026, 1, 31)), d(2026, 3, 2));
        // 31 March → 30 April.
        assert_eq!(add_months(d(2026, 3, 31), 1), d(2026, 4, 30));
        assert_eq!(due_date(d(2026, 3, 31)), d(2026, 4, 30));
        // December rolls into January of the next year.
        assert_eq!(add_months(d(2026, 12, 15), 1), d(2027, 1, 15));
    }

    #[test]
    fn leap_years() {
        // 2028 is a leap year: 31 January → 29 February (a Tuesday).
        assert_eq!(due_date(d(2028, 1, 31)), d(2028, 2, 29));
        // 29 February 2028 + 1 month = 29 March.
        assert_eq!(add_months(d(2028, 2, 29), 1), d(2028, 3, 29));
        // 30 January 2100 (not a leap year) → 28 February 2100.
        assert_eq!(add_months(d(2100, 1, 30), 1), d(2100, 2, 28));
    }

    #[test]
    fn a_period_ending_on_a_weekend_or_holiday_moves_to_the_next_working_day() {
        // Received 25 November 2026: 25 December is Christmas, 26 the second day, 27 a Sunday.
        assert_eq!(due_date(d(2026, 11, 25)), d(2026, 12, 28));
        // Received 5 April 2026: 5 May is Bevrijdingsdag (Tuesday) → Wednesday 6 May.
        assert_eq!(due_date(d(2026, 4, 5)), d(2026, 5, 6));
        // Received 27 March 2026: 27 April is Koningsdag (Monday) → Tuesday 28 April.
        assert_eq!(due_date(d(2026, 3, 27)), d(2026, 4, 28));
        // Received 1 December 2026: 1 January is Nieuwjaarsdag (Friday) → Monday 4 January.
        assert_eq!(due_date(d(2026, 12, 1)), d(2027, 1, 4));
    }

    #[test]
    fn the_day_of_receipt_counts_in_dutch_time() {
        let late_evening_utc = DateTime::parse_from_rfc3339("2026-02-28T23:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(received_on(late_evening_utc), d(2026, 3, 1));
        let summer = DateTime::parse_from_rfc3339("2026-06-30T22:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(received_on(summer), d(2026, 7, 1));
    }

    #[test]
    fn one_extension_of_two_months_within_the_first_month() {
        let received = d(2026, 10, 14);
        // Three months after 14 October: 14 January 2027, a Thursday.
        assert_eq!(
            extend(
                received,
                false,
                d(2026, 11, 2),
                "veel gegevens in vijf systemen"
            ),
            Ok(d(2027, 1, 14))
        );
        // On the (moved) due date itself it is still allowed.
        assert_eq!(
            extend(received, false, d(2026, 11, 16), "reden"),
            Ok(d(2027, 1, 14))
        );
        assert_eq!(
            extend(received, false, d(2026, 11, 17), "reden"),
            Err(ExtensionRefused::TooLate)
        );
        assert_eq!(
            extend(received, true, d(2026, 11, 2), "reden"),
            Err(ExtensionRefused::AlreadyExtended)
        );
        assert_eq!(
            extend(received, false, d(2026, 11, 2), "   "),
            Err(ExtensionRefused::NoReason)
        );
    }

    #[test]
    fn due_dates_are_always_working_days_and_never_early() {
        let mut day = d(2026, 1, 1);
        while day < d(2029, 1, 1) {
            let due = due_date(day);
            assert!(is_working_day(due), "{day} → {due}");
            assert!(due >= add_months(day, 1));
            assert!(
                due - add_months(day, 1) <= Duration::days(5),
                "{day} → {due}"
            );
            day += Duration::days(1);
        }
    }
}
