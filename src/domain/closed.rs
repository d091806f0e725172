//! The machinery shared by every closed list: the [`ClosedList`] trait and the
//! `closed_list!` macro that writes an enum with its database value, labels,
//! parsing and serde in one declaration.
//!
//! Why a macro: there are more than twenty lists, and the database value, the
//! Italian and English labels and the parser must never drift apart. Writing
//! each variant once, next to its strings, makes a mismatch impossible.

use super::error::{Invalid, Lang};

/// A closed list of values stored as lower snake_case text.
///
/// Implemented by every enum made with `closed_list!`; the inherent methods of
/// those enums are the same functions, so callers rarely need to import this
/// trait. It exists for generic code (parsing lists of values, GraphQL or CSV
/// adapters, exhaustive tests).
pub trait ClosedList: Sized + Copy + Eq + std::fmt::Debug + 'static {
    /// Every value, in declaration order.
    const ALL: &'static [Self];
    /// The snake_case database values, in the same order as [`Self::ALL`].
    const VALUES: &'static [&'static str];

    /// The snake_case value stored in the database.
    fn as_str(self) -> &'static str;

    /// A human label in the given language.
    fn label(self, lang: Lang) -> &'static str;

    /// Parses the snake_case value (any letter case, surrounding spaces
    /// ignored). Fails with [`Invalid::Required`] on a blank string and with
    /// [`Invalid::UnknownValue`] (listing the allowed values) otherwise.
    fn parse(raw: &str) -> Result<Self, Invalid>;
}

/// Shared by every generated `parse`: case-insensitive so that GraphQL's
/// SCREAMING_CASE and hand-typed CSV values are accepted too.
pub(crate) fn parse_closed<T: ClosedList>(raw: &str) -> Result<T, Invalid> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(Invalid::Required);
    }
    T::ALL
        .iter()
        .copied()
        .find(|value| value.as_str().eq_ignore_ascii_case(raw))
        .ok_or_else(|| Invalid::UnknownValue {
            allowed: T::VALUES.to_vec(),
        })
}

/// Declares a closed list.
///
/// ```ignore
/// closed_list! {
///     /// Docs for the enum.
///     pub enum MembershipRole {
///         Admin = "admin" { it: "Amministratore", en: "Administrator" },
///         Member = "member" { it: "Membro", en: "Member" },
///     }
/// }
/// ```
///
/// Generates the enum (Copy, Eq, Ord, Hash), `ALL`, `VALUES`, `as_str`,
/// `label`, `parse`, `Display` (the snake_case value), `FromStr`, serde as the
/// snake_case string (deserialising through `parse`), and [`ClosedList`].
macro_rules! closed_list {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $value:literal { it: $it:literal, en: $en:literal $(,)? }
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];
            /// The snake_case database values, in the same order as `ALL`.
            pub const VALUES: &'static [&'static str] = &[$($value),+];

            /// The snake_case value stored in the database.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $value,)+
                }
            }

            /// A human label in the given language.
            pub const fn label(self, lang: $crate::domain::error::Lang) -> &'static str {
                match lang {
                    $crate::domain::error::Lang::It => match self {
                        $(Self::$variant => $it,)+
                    },
                    $crate::domain::error::Lang::En => match self {
                        $(Self::$variant => $en,)+
                    },
                }
            }

            /// Parses the snake_case value, in any letter case.
            ///
            /// Fails with `Invalid::Required` on a blank string and
            /// `Invalid::UnknownValue` (listing the allowed values) otherwise.
            pub fn parse(raw: &str) -> Result<Self, $crate::domain::error::Invalid> {
                $crate::domain::closed::parse_closed(raw)
            }
        }

        impl $crate::domain::closed::ClosedList for $name {
            const ALL: &'static [Self] = $name::ALL;
            const VALUES: &'static [&'static str] = $name::VALUES;

            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }

            fn label(self, lang: $crate::domain::error::Lang) -> &'static str {
                $name::label(self, lang)
            }

            fn parse(raw: &str) -> Result<Self, $crate::domain::error::Invalid> {
                $name::parse(raw)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::domain::error::Invalid;

            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                Self::parse(raw)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                Self::parse(&raw).map_err(<D::Error as ::serde::de::Error>::custom)
            }
        }
    };
}

pub(crate) use closed_list;

/// Checks the invariants every closed list must keep; called from the tests
/// of each list so a new enum is covered by adding one line.
/// Reads a JSON array of closed-list values as the services store them.
/// Values no longer in the list are skipped (and logged) rather than failing
/// the read: stored data outlives enum changes.
pub fn closed_list_values<T: ClosedList>(value: &serde_json::Value) -> Vec<T> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.as_str())
                .filter_map(|item| match T::parse(item) {
                    Ok(parsed) => Some(parsed),
                    Err(_) => {
                        tracing::warn!(value = item, "stored value outside its closed list");
                        None
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
pub(crate) fn assert_well_formed<T: ClosedList>() {
    use std::collections::HashSet;

    assert_eq!(T::ALL.len(), T::VALUES.len());
    let mut seen = HashSet::new();
    for (value, stored) in T::ALL.iter().zip(T::VALUES) {
        assert_eq!(value.as_str(), *stored);
        assert!(seen.insert(*stored), "duplicate value {stored}");
        assert!(
            stored
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "{stored} is not snake_case"
        );
        assert_eq!(T::parse(stored), Ok(*value));
        assert_eq!(T::parse(&stored.to_ascii_uppercase()), Ok(*value));
        assert_eq!(T::parse(&format!("  {stored} ")), Ok(*value));
        for lang in Lang::ALL {
            assert!(!value.label(*lang).trim().is_empty());
        }
    }
    assert_eq!(T::parse("  "), Err(Invalid::Required));
    assert_eq!(
        T::parse("certainly_not_a_value"),
        Err(Invalid::UnknownValue {
            allowed: T::VALUES.to_vec()
        })
    );
}
