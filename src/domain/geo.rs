//! Plane geometry on WGS84 coordinates for neighbourhood boundaries: reading
//! GeoJSON polygons and telling whether a point lies inside one. At a city's
//! scale treating degrees as planar coordinates is exact enough (the error
//! is far below a street's width), and it needs no projection.

use serde::Deserialize;

/// A polygon: its outer ring, then its holes, each a closed list of
/// `[lon, lat]` points.
pub type Polygon = Vec<Vec<[f64; 2]>>;

#[derive(Deserialize)]
#[serde(tag = "type")]
enum Geometry {
    Polygon { coordinates: Polygon },
    MultiPolygon { coordinates: Vec<Polygon> },
}

/// The polygons of a GeoJSON `Polygon` or `MultiPolygon` geometry; `None`
/// for anything else or malformed text.
pub fn parse_polygons(geojson: &str) -> Option<Vec<Polygon>> {
    match serde_json::from_str::<Geometry>(geojson).ok()? {
        Geometry::Polygon { coordinates } => Some(vec![coordinates]),
        Geometry::MultiPolygon { coordinates } => Some(coordinates),
    }
}

/// Whether the point is inside the ring (even-odd rule; a point exactly on
/// an edge may fall either side).
fn ring_contains(ring: &[[f64; 2]], lon: f64, lat: f64) -> bool {
    let mut inside = false;
    let mut previous = match ring.last() {
        Some(p) => *p,
        None => return false,
    };
    for point in ring {
        let ([x1, y1], [x2, y2]) = (*point, previous);
        if (y1 > lat) != (y2 > lat) && lon < (x2 - x1) * (lat - y1) / (y2 - y1) + x1 {
            inside = !inside;
        }
        previous = *point;
    }
    inside
}

/// Whether the point is inside the polygon: in its outer ring and in none
/// of its holes.
pub fn polygon_contains(polygon: &Polygon, lon: f64, lat: f64) -> bool {
    let Some((outer, holes)) = polygon.split_first() else {
        return false;
    };
    ring_contains(outer, lon, lat) && !holes.iter().any(|h| ring_contains(h, lon, lat))
}

/// The bounding box `(min_lon, min_lat, max_lon, max_lat)` of polygons.
pub fn bounds(polygons: &[Polygon]) -> Option<(f64, f64, f64, f64)> {
    let mut points = polygons.iter().flat_map(|p| p.first()).flatten();
    let first = points.next()?;
    Some(points.fold(
        (first[0], first[1], first[0], first[1]),
        |(a, b, c, d), [lon, lat]| (a.min(*lon), b.min(*lat), c.max(*lon), d.max(*lat)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squares_with_holes() {
        let square = r#"{"type":"Polygon","coordinates":[
            [[0,0],[10,0],[10,10],[0,10],[0,0]],
            [[4,4],[6,4],[6,6],[4,6],[4,4]]]}"#;
        let polygons = parse_polygons(square).expect("polygon");
        assert!(polygon_contains(&polygons[0], 2.0, 2.0));
        assert!(!polygon_contains(&polygons[0], 5.0, 5.0), "in the hole");
        assert!(!polygon_contains(&polygons[0], 12.0, 5.0));
        assert_eq!(bounds(&polygons), Some((0.0, 0.0, 10.0, 10.0)));
        let multi = r#"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]]]]}"#;
        assert_eq!(parse_polygons(multi).map(|p| p.len()), Some(2));
        assert!(parse_polygons(r#"{"type":"Point","coordinates":[1,2]}"#).is_none());
        assert!(parse_polygons("not json").is_none());
    }
}
