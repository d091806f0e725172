//! Places: [`IstatCode`] (a municipality's ISTAT code), [`Coordinates`]
//! (a WGS84 point with the distance between two of them) and
//! [`OtherPlace`] (a place a posting reaches beyond its first).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::error::{Errors, Format, Invalid, ValidationErrors};
use super::newtype::string_newtype;

/// The 6-digit ISTAT code of a municipality (`015146` is Milano): the
/// province's 3 digits then the municipality's 3, leading zeros included.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IstatCode(String);

string_newtype!(IstatCode);

impl IstatCode {
    /// Fails with `Required` when blank and `BadFormat` unless exactly 6
    /// digits. A 5-digit code (a spreadsheet dropped the leading zero) is
    /// refused rather than guessed: "15146" could be a typo as well.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let code = super::text::trim_pasted(raw);
        if code.is_empty() {
            return Err(Invalid::Required);
        }
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Invalid::BadFormat {
                expected: Format::IstatCode,
            });
        }
        Ok(Self(code.to_owned()))
    }

    /// The ISTAT province code (first three digits, `015` for Milano).
    pub fn province_code(&self) -> &str {
        self.0.get(..3).unwrap_or_default()
    }
}

/// At most this many places beyond a posting's first: real offers serve
/// two or three neighbourhoods or a handful of municipalities; a posting
/// for a whole province says so with its territory scope instead.
pub const MAX_OTHER_PLACES: usize = 12;

/// A place a need or an offer reaches beyond its first, as submitted.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OtherPlaceInput {
    pub municipality_code: Option<String>,
    pub neighbourhood_id: Option<String>,
}

/// A validated place beyond a posting's first: a municipality, a
/// neighbourhood or both. Whether they exist, and whether the neighbourhood
/// lies in the municipality, is checked by the services layer, which also
/// writes the municipality a neighbourhood implies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OtherPlace {
    pub municipality_code: Option<IstatCode>,
    pub neighbourhood_id: Option<Uuid>,
}

/// Whether an input names a first place (a municipality or a
/// neighbourhood, not left blank).
pub(crate) fn names_a_place(
    municipality_code: Option<&str>,
    neighbourhood_id: Option<&str>,
) -> bool {
    [municipality_code, neighbourhood_id]
        .into_iter()
        .flatten()
        .any(|raw| !super::text::trim_pasted(raw).is_empty())
}

/// `otherPlaces`: at most [`MAX_OTHER_PLACES`], each naming a municipality
/// or a neighbourhood (`otherPlaces[i].municipalityCode` is required when
/// neither is given), duplicates dropped. Other places come after a first
/// one: without it (`has_first_place` false) `municipalityCode` is required.
pub(crate) fn check_other_places(
    errs: &mut Errors,
    raw: &[OtherPlaceInput],
    has_first_place: bool,
) -> Option<Vec<OtherPlace>> {
    if raw.len() > MAX_OTHER_PLACES {
        // Said once: a list far too long is not read entry by entry.
        errs.push(
            "otherPlaces",
            Invalid::TooMany {
                max: MAX_OTHER_PLACES,
            },
        );
        return None;
    }
    if !raw.is_empty() && !has_first_place {
        errs.push("municipalityCode", Invalid::Required);
    }
    let mut places = Vec::with_capacity(raw.len());
    let mut ok = true;
    for (index, input) in raw.iter().enumerate() {
        let municipality_code = errs.check_optional(
            format!("otherPlaces[{index}].municipalityCode"),
            input.municipality_code.as_deref(),
            IstatCode::parse,
        );
        let neighbourhood_id = super::input::check_optional_uuid(
            errs,
            &format!("otherPlaces[{index}].neighbourhoodId"),
            input.neighbourhood_id.as_deref(),
        );
        match (municipality_code, neighbourhood_id) {
            (Some(None), Some(None)) => {
                errs.push(
                    format!("otherPlaces[{index}].municipalityCode"),
                    Invalid::Required,
                );
                ok = false;
            }
            (Some(municipality_code), Some(neighbourhood_id)) => places.push(OtherPlace {
                municipality_code,
                neighbourhood_id,
            }),
            _ => ok = false,
        }
    }
    ok.then(|| super::input::dedup(places))
}

/// A place a posting reaches beyond its first, as its `other_places`
/// column stores it: the municipality always (the one a neighbourhood
/// implies when only that was named), the neighbourhood when named.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredPlace {
    pub municipality_code: String,
    #[serde(default)]
    pub neighbourhood_id: Option<Uuid>,
}

impl StoredPlace {
    /// The places of an `other_places` column. Written only by the posting
    /// writes of `crate::store::postings`; an entry that does not read (a
    /// hand-edited row) is passed over rather than failing every reader of
    /// the posting.
    pub fn read_all(column: &serde_json::Value) -> Vec<StoredPlace> {
        column
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .filter_map(|entry| serde_json::from_value(entry.clone()).ok())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A point on Earth in decimal degrees (WGS84).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Coordinates {
    lat: f64,
    lon: f64,
}

impl Coordinates {
    /// Mean Earth radius (IUGG), in km.
    const EARTH_RADIUS_KM: f64 = 6371.0088;

    /// Fails with `OutOfRange` at `"lat"` (outside -90..=90) and/or `"lon"`
    /// (outside -180..=180); NaN and infinities are out of range too.
    pub fn new(lat: f64, lon: f64) -> Result<Self, ValidationErrors> {
        let mut errs = Errors::new();
        let lat = errs.check("lat", Self::latitude(lat));
        let lon = errs.check("lon", Self::longitude(lon));
        errs.build(|| {
            Some(Self {
                lat: lat?,
                lon: lon?,
            })
        })
    }

    /// For forms with two optional inputs: both or neither. Fails with
    /// `IncompleteCoordinates` at the missing one, or as [`Coordinates::new`].
    pub fn from_optional(
        lat: Option<f64>,
        lon: Option<f64>,
    ) -> Result<Option<Self>, ValidationErrors> {
        match (lat, lon) {
            (Some(lat), Some(lon)) => Self::new(lat, lon).map(Some),
            (None, None) => Ok(None),
            (Some(_), None) => Err(Invalid::IncompleteCoordinates.at("lon").into()),
            (None, Some(_)) => Err(Invalid::IncompleteCoordinates.at("lat").into()),
        }
    }

    /// Checks a latitude alone.
    pub fn latitude(lat: f64) -> Result<f64, Invalid> {
        in_range(lat, 90)
    }

    /// Checks a longitude alone.
    pub fn longitude(lon: f64) -> Result<f64, Invalid> {
        in_range(lon, 180)
    }

    pub fn lat(&self) -> f64 {
        self.lat
    }

    pub fn lon(&self) -> f64 {
        self.lon
    }

    /// Great-circle distance in km (haversine formula); about 0.5% off the
    /// ellipsoid, far below what matching by distance needs.
    pub fn distance_km(&self, other: &Self) -> f64 {
        let (lat1, lat2) = (self.lat.to_radians(), other.lat.to_radians());
        let d_lat = lat2 - lat1;
        let d_lon = (other.lon - self.lon).to_radians();
        let a = (d_lat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (d_lon / 2.0).sin().powi(2);
        // min(1.0) guards against rounding just above 1 for antipodes.
        2.0 * Self::EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
    }
}

fn in_range(value: f64, bound: i64) -> Result<f64, Invalid> {
    // The bounds are 90 and 180: exact as f64.
    let limit = bound as f64;
    if value.is_finite() && (-limit..=limit).contains(&value) {
        Ok(value)
    } else {
        Err(Invalid::OutOfRange {
            min: -bound,
            max: bound,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::error::testing::{assert_refused, bad_format};

    #[test]
    fn istat_code() {
        let milano = IstatCode::parse(" 015146 ").expect("valid");
        assert_eq!(milano.as_str(), "015146");
        assert_eq!(milano.province_code(), "015");
        let bad = bad_format(Format::IstatCode);
        let cases: &[(&str, Invalid)] = &[
            ("", Invalid::Required),
            ("15146", bad.clone()),
            ("0151460", bad.clone()),
            ("01514A", bad.clone()),
            ("015 146", bad.clone()),
            ("F205", bad),
        ];
        assert_refused(IstatCode::parse, cases);
    }

    #[test]
    fn coordinates_bounds() {
        for (lat, lon) in [(45.4642, 9.19), (-90.0, -180.0), (90.0, 180.0), (0.0, 0.0)] {
            let point = Coordinates::new(lat, lon).expect("in range");
            assert_eq!((point.lat(), point.lon()), (lat, lon));
        }
        let lat_range = Invalid::OutOfRange { min: -90, max: 90 };
        let lon_range = Invalid::OutOfRange {
            min: -180,
            max: 180,
        };
        type Expected<'a> = &'a [(&'a str, &'a Invalid)];
        let cases: &[(f64, f64, Expected)] = &[
            (90.1, 9.0, &[("lat", &lat_range)]),
            (45.0, -180.5, &[("lon", &lon_range)]),
            (
                f64::NAN,
                f64::INFINITY,
                &[("lat", &lat_range), ("lon", &lon_range)],
            ),
            // Swapped by mistake: Milano's longitude is fine as a latitude,
            // but Sydney's latitude-longitude pair swapped is not.
            (151.2, -33.9, &[("lat", &lat_range)]),
        ];
        for (lat, lon, expected) in cases {
            let errors = Coordinates::new(*lat, *lon).expect_err("out of range");
            let got: Vec<_> = errors
                .iter()
                .map(|e| (e.field.as_str(), &e.reason))
                .collect();
            assert_eq!(got, *expected, "{lat}, {lon}");
        }
    }

    #[test]
    fn both_or_neither() {
        assert_eq!(Coordinates::from_optional(None, None), Ok(None));
        assert!(Coordinates::from_optional(Some(45.0), Some(9.0)).is_ok_and(|c| c.is_some()));
        assert_eq!(
            Coordinates::from_optional(Some(45.0), None),
            Err(Invalid::IncompleteCoordinates.at("lon").into())
        );
        assert_eq!(
            Coordinates::from_optional(None, Some(9.0)),
            Err(Invalid::IncompleteCoordinates.at("lat").into())
        );
        assert!(Coordinates::from_optional(Some(100.0), Some(9.0)).is_err());
    }

    #[test]
    fn distance() {
        let point = |lat, lon| Coordinates::new(lat, lon).expect("in range");
        let milano = point(45.4642, 9.19);
        let roma = point(41.9028, 12.4964);
        let bologna = point(44.4949, 11.3426);
        let cases = [
            (milano, roma, 476.885),
            (milano, bologna, 200.697),
            // Across the antimeridian, one degree on the equator.
            (point(0.0, 179.5), point(0.0, -179.5), 111.195),
            (point(90.0, 0.0), point(-90.0, 0.0), 20_015.114),
        ];
        for (a, b, km) in cases {
            assert!((a.distance_km(&b) - km).abs() < 0.01, "{a:?} {b:?}");
            assert!((b.distance_km(&a) - km).abs() < 0.01);
        }
        assert_eq!(milano.distance_km(&milano), 0.0);
    }
}
