//! Territories: Italian municipalities and Milano's neighbourhoods (NIL),
//! looked up by code, name or point, and distances between places.

use sea_orm::ConnectionTrait;

use crate::domain::geo::{self, Polygon};
use crate::domain::{Coordinates, Invalid, ValidationErrors};
use crate::error::{AppError, Entity};
use crate::store;
use crate::store::entities::{municipalities, neighbourhoods};

/// Most municipalities one lookup returns.
pub const MAX_MUNICIPALITIES: u64 = 100;

/// A municipality by ISTAT code. BAD_USER_INPUT on a malformed `field`,
/// NOT_FOUND when there is none.
pub async fn municipality(
    db: &impl ConnectionTrait,
    code: &str,
    field: &str,
) -> Result<municipalities::Model, AppError> {
    let code =
        crate::domain::IstatCode::parse(code).map_err(|reason| AppError::invalid(field, reason))?;
    store::territories::municipality(db, code.as_str())
        .await?
        .ok_or_else(|| AppError::not_found(Entity::Municipality, field))
}

/// Municipalities whose name contains `name` (any case), of a province
/// (plate code, e.g. `MI`) if given, by name, at most `first` (at most
/// [`MAX_MUNICIPALITIES`]). BAD_USER_INPUT on `first` out of range.
pub async fn municipalities(
    db: &impl ConnectionTrait,
    name: Option<&str>,
    province: Option<&str>,
    first: u64,
) -> Result<Vec<municipalities::Model>, AppError> {
    if first > MAX_MUNICIPALITIES {
        return Err(AppError::invalid(
            "first",
            Invalid::OutOfRange {
                min: 0,
                max: MAX_MUNICIPALITIES as i64,
            },
        ));
    }
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    let province = province.map(str::trim).filter(|p| !p.is_empty());
    Ok(store::territories::municipalities(db, name, province, first).await?)
}

/// The neighbourhoods of a municipality, by code.
pub async fn neighbourhoods_of(
    db: &impl ConnectionTrait,
    municipality_code: &str,
) -> Result<Vec<neighbourhoods::Model>, AppError> {
    let mut rows = store::territories::neighbourhoods_of(db, municipality_code).await?;
    // Codes are numbers as text ("2" before "10").
    rows.sort_by_key(|n| (n.code.parse::<u32>().unwrap_or(u32::MAX), n.code.clone()));
    Ok(rows)
}

/// The neighbourhood whose boundary contains the point, if any.
pub async fn neighbourhood_at(
    db: &impl ConnectionTrait,
    point: Coordinates,
) -> Result<Option<neighbourhoods::Model>, AppError> {
    let (lat, lon) = (point.lat(), point.lon());
    let rows = store::territories::neighbourhoods_with_boundary(db).await?;
    for row in rows {
        let Some(polygons) = row
            .boundary_geojson
            .as_deref()
            .and_then(geo::parse_polygons)
        else {
            continue;
        };
        let inside_bounds = geo::bounds(&polygons)
            .is_some_and(|(w, s, e, n)| (w..=e).contains(&lon) && (s..=n).contains(&lat));
        if inside_bounds
            && polygons
                .iter()
                .any(|p: &Polygon| geo::polygon_contains(p, lon, lat))
        {
            return Ok(Some(row));
        }
    }
    Ok(None)
}

/// A point from a form, each coordinate checked under its own field name
/// (`from.lat`...). BAD_USER_INPUT naming every coordinate out of range.
pub fn point(lat: (f64, &str), lon: (f64, &str)) -> Result<Coordinates, AppError> {
    let mut errors = Vec::new();
    if let Err(reason) = Coordinates::latitude(lat.0) {
        errors.push(reason.at(lat.1));
    }
    if let Err(reason) = Coordinates::longitude(lon.0) {
        errors.push(reason.at(lon.1));
    }
    match ValidationErrors::from_vec(errors) {
        None => Coordinates::new(lat.0, lon.0).map_err(AppError::Invalid),
        Some(errors) => Err(AppError::Invalid(errors)),
    }
}
