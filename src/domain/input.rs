//! Helpers shared by the record validators (organisations, offers, needs):
//! identifiers, de-duplicated lists, and the list rules every record uses
//! the same way, so their fields and limits cannot drift apart.

use uuid::Uuid;

use super::error::{Errors, Format, Invalid};
use super::lists::OrganizationKind;
use super::text::SectorCode;

/// At most this many sectors per record: a profile tagged with everything
/// matches everything, which helps nobody.
pub const MAX_SECTORS: usize = 30;

/// At most this many neighbourhoods per organisation (Milano has 88 NIL; a
/// city-wide organisation can list them all).
pub const MAX_NEIGHBOURHOODS: usize = 200;

/// Parses a record id sent by a client. Fails with `Required` when blank and
/// `BadFormat` otherwise. Whether the record exists is not checked here.
pub fn parse_uuid(raw: &str) -> Result<Uuid, Invalid> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(Invalid::Required);
    }
    Uuid::parse_str(raw).map_err(|_| Invalid::BadFormat {
        expected: Format::Uuid,
    })
}

/// Removes repeated values, keeping the first occurrence and the order
/// (lists are short: quadratic is fine and needs no Hash).
pub fn dedup<T: PartialEq>(values: Vec<T>) -> Vec<T> {
    let mut unique = Vec::with_capacity(values.len());
    for value in values {
        if !unique.contains(&value) {
            unique.push(value);
        }
    }
    unique
}

/// Records `TooMany` at `field` when the list is longer than `max`.
pub(crate) fn check_max_items<T>(errs: &mut Errors, field: &str, items: &[T], max: usize) {
    if items.len() > max {
        errs.push(field, Invalid::TooMany { max });
    }
}

/// `sectors`: each a sector code, at most [`MAX_SECTORS`], duplicates dropped.
pub(crate) fn check_sectors(errs: &mut Errors, raw: &[String]) -> Option<Vec<SectorCode>> {
    check_max_items(errs, "sectors", raw, MAX_SECTORS);
    errs.check_each("sectors", raw, SectorCode::parse)
        .map(dedup)
}

/// `eligibleOrganizationKinds`: each an organisation kind, duplicates
/// dropped; empty means anyone.
pub(crate) fn check_eligible_kinds(
    errs: &mut Errors,
    raw: &[String],
) -> Option<Vec<OrganizationKind>> {
    errs.check_each("eligibleOrganizationKinds", raw, OrganizationKind::parse)
        .map(dedup)
}

/// An optional id field: blank means none.
pub(crate) fn check_optional_uuid(
    errs: &mut Errors,
    field: &str,
    raw: Option<&str>,
) -> Option<Option<Uuid>> {
    errs.check_optional(field, raw, parse_uuid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid() {
        let id = "0192f0c4-5a6b-7c8d-9e0f-112233445566";
        assert_eq!(
            parse_uuid(&format!(" {id} ")).map(|u| u.to_string()),
            Ok(id.to_owned())
        );
        assert_eq!(parse_uuid(""), Err(Invalid::Required));
        assert_eq!(
            parse_uuid("51"),
            Err(Invalid::BadFormat {
                expected: Format::Uuid
            })
        );
    }

    #[test]
    fn dedup_keeps_first_occurrences_in_order() {
        assert_eq!(dedup(vec![3, 1, 3, 2, 1]), [3, 1, 2]);
        assert!(dedup(Vec::<u8>::new()).is_empty());
    }
}
