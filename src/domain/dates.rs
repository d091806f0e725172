//! Dates: the range of days any record can mean ([`EARLIEST`] to
//! [`LATEST`]), [`DateWindow`], an optional first and last day (an offer's
//! availability) never inverted, and the rule for deadlines
//! ([`check_deadline`]).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::bounds::{Bounds, ordered};
use super::error::Invalid;

/// The first day a date on Trama may be. Everything it records (an
/// availability, a deadline, a registry extract, a search range) is about
/// organisations working today: a year before 1900 is a typo or a
/// placeholder ("0000-01-01"), never a date someone means.
pub const EARLIEST: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(day) => day,
    None => NaiveDate::MIN,
};

/// The last day a date on Trama may be. "9999-12-31" is how some systems
/// write "no end" (Trama leaves the field empty for that), and no
/// availability or deadline of today's projects runs past 2100. Four-digit
/// years also keep every date comparable as text (SQLite stores them so)
/// and within what browsers and spreadsheets read.
pub const LATEST: NaiveDate = match NaiveDate::from_ymd_opt(2100, 12, 31) {
    Some(day) => day,
    None => NaiveDate::MAX,
};

/// The day itself when it lies between [`EARLIEST`] and [`LATEST`]; fails
/// with `DateOutOfRange` otherwise.
pub fn plausible_day(day: NaiveDate) -> Result<NaiveDate, Invalid> {
    if (EARLIEST..=LATEST).contains(&day) {
        Ok(day)
    } else {
        Err(Invalid::DateOutOfRange {
            earliest: EARLIEST,
            latest: LATEST,
        })
    }
}

/// The instant itself when its day (in UTC) is plausible (see
/// [`plausible_day`]).
pub fn plausible_instant(at: DateTime<Utc>) -> Result<DateTime<Utc>, Invalid> {
    plausible_day(at.date_naive()).map(|_| at)
}

/// The rule for a deadline being written: plausible (`DateOutOfRange`), and
/// not in the past at `now` (`InThePast`) when it is new or changed. A
/// deadline equal to `current`, the one already stored, is accepted even
/// once it has passed: the need expired, and editing its description or
/// closing it must not ask for a new deadline.
pub fn check_deadline(
    deadline: DateTime<Utc>,
    now: DateTime<Utc>,
    current: Option<DateTime<Utc>>,
) -> Result<DateTime<Utc>, Invalid> {
    plausible_instant(deadline)?;
    if deadline < now && current != Some(deadline) {
        return Err(Invalid::InThePast);
    }
    Ok(deadline)
}

/// An optional `from` and `until` day, both included; when both are given,
/// `from` is not after `until`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
pub struct DateWindow {
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
}

impl DateWindow {
    /// Fails with `DateOutOfRange` when a day is not plausible (see
    /// [`plausible_day`]), and with `Inverted` when `from` is after `until`
    /// (a one-day window, `from == until`, is fine). Days in the past are
    /// fine: an offer may have been available for years.
    pub fn new(from: Option<NaiveDate>, until: Option<NaiveDate>) -> Result<Self, Invalid> {
        from.map(plausible_day).transpose()?;
        until.map(plausible_day).transpose()?;
        ordered(from.as_ref(), until.as_ref())?;
        Ok(Self { from, until })
    }

    pub fn from(&self) -> Option<NaiveDate> {
        self.from
    }

    pub fn until(&self) -> Option<NaiveDate> {
        self.until
    }
}

/// Unbounded means "always"; two windows overlap when they share a day.
impl Bounds for DateWindow {
    type Point = NaiveDate;

    fn ends(&self) -> (Option<NaiveDate>, Option<NaiveDate>) {
        (self.from, self.until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn refuses_inverted_windows() {
        assert_eq!(
            DateWindow::new(Some(day(2026, 3, 2)), Some(day(2026, 3, 1))),
            Err(Invalid::Inverted)
        );
        for (from, until) in [
            (None, None),
            (Some(day(2026, 3, 1)), None),
            (None, Some(day(2026, 3, 1))),
            (Some(day(2026, 3, 1)), Some(day(2026, 3, 1))),
            (Some(day(2025, 12, 31)), Some(day(2026, 3, 1))),
        ] {
            let window = DateWindow::new(from, until).expect("valid window");
            assert_eq!((window.from(), window.until()), (from, until));
        }
    }

    #[test]
    fn refuses_implausible_days() {
        let out = Invalid::DateOutOfRange {
            earliest: EARLIEST,
            latest: LATEST,
        };
        for bad in [
            day(0, 1, 1),
            day(9999, 12, 31),
            day(1899, 12, 31),
            day(2101, 1, 1),
        ] {
            assert_eq!(plausible_day(bad), Err(out.clone()), "{bad}");
            assert_eq!(DateWindow::new(Some(bad), None), Err(out.clone()));
            assert_eq!(DateWindow::new(None, Some(bad)), Err(out.clone()));
        }
        for good in [EARLIEST, LATEST, day(2015, 9, 1)] {
            assert_eq!(plausible_day(good), Ok(good));
        }
    }

    #[test]
    fn deadlines_are_future_when_set() {
        let at = |text: &str| text.parse::<DateTime<Utc>>().expect("instant");
        let now = at("2026-12-03T10:00:00Z");
        assert_eq!(
            check_deadline(at("2001-05-01T10:00:00Z"), now, None),
            Err(Invalid::InThePast)
        );
        assert_eq!(
            check_deadline(at("2026-12-03T09:59:59Z"), now, None),
            Err(Invalid::InThePast)
        );
        assert!(check_deadline(at("2026-12-03T22:00:00Z"), now, None).is_ok());
        // A deadline that passed while stored stays; a changed one may not
        // be in the past.
        let passed = at("2026-11-30T22:00:00Z");
        assert_eq!(check_deadline(passed, now, Some(passed)), Ok(passed));
        assert_eq!(
            check_deadline(at("2026-11-29T22:00:00Z"), now, Some(passed)),
            Err(Invalid::InThePast)
        );
        assert!(matches!(
            check_deadline(at("9999-12-31T00:00:00Z"), now, None),
            Err(Invalid::DateOutOfRange { .. })
        ));
    }

    #[test]
    fn contains_and_overlaps() {
        let spring = DateWindow::new(Some(day(2026, 3, 1)), Some(day(2026, 5, 31))).expect("valid");
        assert!(spring.contains(day(2026, 3, 1)) && spring.contains(day(2026, 5, 31)));
        assert!(!spring.contains(day(2026, 6, 1)));
        let summer = DateWindow::new(Some(day(2026, 6, 1)), None).expect("valid");
        assert!(!spring.overlaps(&summer));
        assert!(summer.overlaps(&DateWindow::default()));
        let may = DateWindow::new(None, Some(day(2026, 5, 31))).expect("valid");
        assert!(may.overlaps(&spring) && !may.overlaps(&summer));
        assert!(DateWindow::default().is_unbounded());
        assert_eq!(
            serde_json::to_value(spring).expect("serialisable"),
            serde_json::json!({"from": "2026-03-01", "until": "2026-05-31"})
        );
    }
}
