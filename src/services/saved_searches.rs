//! Saved searches: a user keeps a search (words and filters, as the
//! `search` query takes them) under a name, and the e-mail digest brings the
//! new offers, needs and calls it finds (see [`super::digests`]).
//!
//! The filter is stored as JSON ([`StoredFilter`]): camelCase keys like the
//! GraphQL `SearchFilter`, snake_case values like the database. Values that
//! a later version no longer knows are dropped when it is read back, so an
//! old saved search never breaks a digest.

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Actor, now};
use crate::domain::{
    ClosedList, Invalid, NeedKind, OfferKind, OrganizationKind, PostingStatus, SearchName,
};
use crate::error::{AppError, Entity};
use crate::search::{DocType, GeoPoint, Near, SearchFilter, query::MAX_QUERY_CHARS};
use crate::store;
use crate::store::entities::saved_searches;
use crate::store::saved_searches::NewSavedSearch;

/// Most saved searches one user may keep.
pub const MAX_PER_USER: u64 = 20;

/// A saved search, its filter read back.
#[derive(Clone, Debug, PartialEq)]
pub struct SavedSearch {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub query: String,
    pub filter: SearchFilter,
    pub created_at: DateTime<Utc>,
}

/// The stored form of a [`SearchFilter`] (everything but `exclude`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StoredFilter {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub organization_kinds: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub offer_kinds: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub need_kinds: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sectors: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub municipality_codes: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub neighbourhood_ids: Vec<Uuid>,
    /// `None`: open ones (the search default); `[]`: any state.
    pub statuses: Option<Vec<String>>,
    pub organization_id: Option<Uuid>,
    pub verified_only: bool,
    pub registered_third_sector_only: bool,
    pub deadline_from: Option<DateTime<Utc>>,
    pub deadline_until: Option<DateTime<Utc>>,
    pub amount_min_cents: Option<i64>,
    pub amount_max_cents: Option<i64>,
    pub near: Option<StoredNear>,
}

/// A point and an optional radius.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredNear {
    pub lat: f64,
    pub lon: f64,
    pub km: Option<f64>,
}

fn names<T: ClosedList>(values: &[T]) -> Vec<String> {
    values.iter().map(|v| v.as_str().to_owned()).collect()
}

/// Values this version knows; the others are dropped (see the module docs).
fn known<T: ClosedList>(values: &[String]) -> Vec<T> {
    values.iter().filter_map(|v| T::parse(v).ok()).collect()
}

impl From<&SearchFilter> for StoredFilter {
    fn from(f: &SearchFilter) -> Self {
        Self {
            types: names(&f.types),
            organization_kinds: names(&f.organization_kinds),
            offer_kinds: names(&f.offer_kinds),
            need_kinds: names(&f.need_kinds),
            sectors: f.sectors.clone(),
            municipality_codes: f.municipality_codes.clone(),
            neighbourhood_ids: f.neighbourhood_ids.clone(),
            statuses: Some(names(&f.statuses)),
            organization_id: f.organization_id,
            verified_only: f.verified_only,
            registered_third_sector_only: f.registered_third_sector_only,
            deadline_from: f.deadline_from,
            deadline_until: f.deadline_until,
            amount_min_cents: f.amount_min_cents,
            amount_max_cents: f.amount_max_cents,
            near: f.near.map(|n| StoredNear {
                lat: n.point.lat,
                lon: n.point.lon,
                km: n.km,
            }),
        }
    }
}

impl StoredFilter {
    /// The search filter it stands for.
    pub fn to_filter(&self) -> SearchFilter {
        let default = SearchFilter::default();
        SearchFilter {
            types: known::<DocType>(&self.types),
            organization_kinds: known::<OrganizationKind>(&self.organization_kinds),
            offer_kinds: known::<OfferKind>(&self.offer_kinds),
            need_kinds: known::<NeedKind>(&self.need_kinds),
            sectors: self.sectors.clone(),
            municipality_codes: self.municipality_codes.clone(),
            neighbourhood_ids: self.neighbourhood_ids.clone(),
            statuses: match &self.statuses {
                Some(statuses) => known::<PostingStatus>(statuses),
                None => default.statuses,
            },
            organization_id: self.organization_id,
            verified_only: self.verified_only,
            registered_third_sector_only: self.registered_third_sector_only,
            deadline_from: self.deadline_from,
            deadline_until: self.deadline_until,
            amount_min_cents: self.amount_min_cents,
            amount_max_cents: self.amount_max_cents,
            near: self.near.map(|n| Near {
                point: GeoPoint {
                    lat: n.lat,
                    lon: n.lon,
                },
                km: n.km,
            }),
            exclude: Vec::new(),
        }
    }
}

fn read(row: saved_searches::Model) -> SavedSearch {
    let stored: StoredFilter = serde_json::from_value(row.filter).unwrap_or_else(|error| {
        tracing::warn!(id = %row.id, %error, "unreadable saved search filter: searching without it");
        StoredFilter::default()
    });
    SavedSearch {
        id: row.id,
        user_id: row.user_id,
        name: row.name,
        query: row.query,
        filter: stored.to_filter(),
        created_at: row.created_at,
    }
}

fn signed_in(actor: Option<&Actor>) -> Result<Uuid, AppError> {
    actor
        .and_then(|a| a.user_id)
        .ok_or(AppError::Unauthenticated)
}

/// Saves a search for the signed-in user. The filter comes validated (the
/// GraphQL layer parses it as the `search` query does). Fails with
/// UNAUTHENTICATED without a user, BAD_USER_INPUT on `name` (blank, over
/// 100 characters, control characters) and `query` (over 300 characters),
/// CONFLICT on `name` when the user already keeps [`MAX_PER_USER`].
#[tracing::instrument(skip_all)]
pub async fn save(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    name: &str,
    query: &str,
    filter: &SearchFilter,
) -> Result<SavedSearch, AppError> {
    let user_id = signed_in(actor)?;
    let name = SearchName::parse(name).map_err(|reason| AppError::invalid("name", reason))?;
    let query = query.trim();
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::invalid(
            "query",
            Invalid::TooLong {
                max: MAX_QUERY_CHARS,
            },
        ));
    }
    if query.chars().any(|c| c.is_control()) {
        return Err(AppError::invalid("query", Invalid::ControlCharacters));
    }
    let kept = store::saved_searches::count_of_user(db, user_id).await?;
    if kept >= MAX_PER_USER {
        return Err(AppError::conflict(
            "name",
            format!("puoi salvare al massimo {MAX_PER_USER} ricerche: eliminane una"),
            format!("you can keep at most {MAX_PER_USER} saved searches: delete one"),
        ));
    }
    let at = now();
    let stored = serde_json::to_value(StoredFilter::from(filter))
        .map_err(|e| AppError::Internal(anyhow::Error::new(e)))?;
    let new = NewSavedSearch {
        user_id,
        name: name.as_str(),
        query,
        filter: stored,
    };
    let row = store::saved_searches::insert(db, new, at).await?;
    Ok(read(row))
}

/// The saved searches of a user, oldest first.
pub async fn of_user(
    db: &impl sea_orm::ConnectionTrait,
    user_id: Uuid,
) -> Result<Vec<SavedSearch>, AppError> {
    Ok(store::saved_searches::of_user(db, user_id)
        .await?
        .into_iter()
        .map(read)
        .collect())
}

/// The signed-in user's saved searches, oldest first. UNAUTHENTICATED
/// without a user.
#[tracing::instrument(skip_all)]
pub async fn mine(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
) -> Result<Vec<SavedSearch>, AppError> {
    of_user(db, signed_in(actor)?).await
}

/// The saved searches with these ids (any user's): for composing digests.
pub async fn by_ids(
    db: &impl sea_orm::ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<Vec<SavedSearch>, AppError> {
    Ok(store::saved_searches::by_ids(db, ids)
        .await?
        .into_iter()
        .map(read)
        .collect())
}

/// Deletes one of the signed-in user's saved searches. UNAUTHENTICATED
/// without a user, NOT_FOUND on `id` when it is not theirs (or gone).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn delete(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    id: Uuid,
) -> Result<(), AppError> {
    let user_id = signed_in(actor)?;
    if !store::saved_searches::delete_of_user(db, id, user_id).await? {
        return Err(AppError::not_found(Entity::SavedSearch, "id"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_survives_the_round_trip_and_unknown_values_are_dropped() {
        let filter = SearchFilter {
            types: vec![DocType::Need],
            need_kinds: vec![NeedKind::CallForProposals],
            sectors: vec!["housing".to_owned()],
            statuses: Vec::new(),
            verified_only: true,
            amount_min_cents: Some(1_000),
            near: Some(Near {
                point: GeoPoint {
                    lat: 45.46,
                    lon: 9.19,
                },
                km: Some(3.0),
            }),
            ..SearchFilter::default()
        };
        let json = serde_json::to_value(StoredFilter::from(&filter)).unwrap_or_default();
        assert_eq!(json["needKinds"][0], "call_for_proposals");
        let back: StoredFilter = serde_json::from_value(json).unwrap_or_default();
        assert_eq!(back.to_filter(), filter);

        let old: StoredFilter = serde_json::from_value(serde_json::json!({
            "types": ["need", "planet"],
        }))
        .unwrap_or_default();
        let read = old.to_filter();
        assert_eq!(read.types, vec![DocType::Need]);
        assert_eq!(read.statuses, vec![PostingStatus::Open]);
    }
}
