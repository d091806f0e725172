//! [`DateWindow`]: an optional first and last day (an offer's availability),
//! never inverted.

use chrono::NaiveDate;
use serde::Serialize;

use super::error::Invalid;

/// An optional `from` and `until` day, both included; when both are given,
/// `from` is not after `until`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
pub struct DateWindow {
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
}

impl DateWindow {
    /// Fails with `Inverted` when `from` is after `until` (a one-day window,
    /// `from == until`, is fine).
    pub fn new(from: Option<NaiveDate>, until: Option<NaiveDate>) -> Result<Self, Invalid> {
        match (from, until) {
            (Some(from), Some(until)) if from > until => Err(Invalid::Inverted),
            _ => Ok(Self { from, until }),
        }
    }

    pub fn from(&self) -> Option<NaiveDate> {
        self.from
    }

    pub fn until(&self) -> Option<NaiveDate> {
        self.until
    }

    /// No bound at all: "always".
    pub fn is_unbounded(&self) -> bool {
        self.from.is_none() && self.until.is_none()
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from.is_none_or(|from| day >= from) && self.until.is_none_or(|until| day <= until)
    }

    /// Whether the windows share at least one day.
    pub fn overlaps(&self, other: &Self) -> bool {
        let start = self.from.max(other.from);
        let end = match (self.until, other.until) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        match (start, end) {
            (Some(start), Some(end)) => start <= end,
            _ => true,
        }
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
