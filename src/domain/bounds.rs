//! Ranges whose ends are optional and included, such as an offer's
//! [`DateWindow`](super::DateWindow) and [`AmountRange`](super::AmountRange):
//! the order of the ends, and what contains and overlaps mean, written once.

use super::error::Invalid;

/// A range between two optional ends, both included: a missing end is open.
pub trait Bounds {
    /// What the range is made of: days, amounts...
    type Point: Ord + Copy;

    /// The lower and the upper end.
    fn ends(&self) -> (Option<Self::Point>, Option<Self::Point>);

    /// No end at all: "always", "any amount".
    fn is_unbounded(&self) -> bool {
        matches!(self.ends(), (None, None))
    }

    fn contains(&self, point: Self::Point) -> bool {
        let (low, high) = self.ends();
        low.is_none_or(|low| point >= low) && high.is_none_or(|high| point <= high)
    }

    /// Whether some point lies in both ranges.
    fn overlaps(&self, other: &Self) -> bool {
        let ((low, high), (other_low, other_high)) = (self.ends(), other.ends());
        let start = low.max(other_low);
        let end = match (high, other_high) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        match (start, end) {
            (Some(start), Some(end)) => start <= end,
            _ => true,
        }
    }
}

/// Fails with `Inverted` when both ends are given and `low` is above `high`
/// (equal ends are a range of one point).
pub(super) fn ordered<T: Ord>(low: Option<&T>, high: Option<&T>) -> Result<(), Invalid> {
    match (low, high) {
        (Some(low), Some(high)) if low > high => Err(Invalid::Inverted),
        _ => Ok(()),
    }
}
