//! The index schema and the document the index holds for one organisation,
//! offer or need ([`SearchDocument`], built from the database by
//! `services::search_docs`).
//!
//! Text is indexed twice (see [`super::analysis`]): `*_stem` fields with the
//! stemmed analyzer and `*_exact` fields without stemming; and once more,
//! title, body and context together, in `any_stem`, stems without
//! frequencies or positions: which records hold a stem anywhere, the one
//! posting list a search reads to find its matches (scoring reads the
//! fields). Title and body are stored (for highlights); everything filters,
//! facets and sorts need is a fast field (columnar), read per segment by the
//! collector.

use chrono::{DateTime, Utc};
use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use uuid::Uuid;

use super::analysis::{EXACT_ANALYZER, STEM_ANALYZER};
use crate::domain::OutboxEntityType;

/// What a search hit is: an organisation, an offer or a need (the same list
/// as the outbox's entity types).
pub type DocType = OutboxEntityType;

/// A point in WGS84 degrees.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

impl GeoPoint {
    /// Great-circle distance in kilometres (haversine; plenty for a city).
    pub fn distance_km(self, other: GeoPoint) -> f64 {
        const EARTH_RADIUS_KM: f64 = 6371.0088;
        let (lat1, lat2) = (self.lat.to_radians(), other.lat.to_radians());
        let dlat = lat2 - lat1;
        let dlon = (other.lon - self.lon).to_radians();
        let a = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_KM * a.sqrt().asin()
    }
}

/// What the index holds about one record. Hidden, deleted and draft records
/// (and postings of hidden or deleted organisations) have no document.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchDocument {
    pub doc_type: DocType,
    pub id: Uuid,
    /// The organisation's name, or the posting's title.
    pub title: String,
    pub body: String,
    /// Other words worth finding it by: labels of its kind and sectors, the
    /// owner's name, municipality and neighbourhood names.
    pub context: String,
    /// The owner (the organisation itself for an organisation).
    pub organization_id: Uuid,
    /// The owner's kind (`housing_cooperative`...).
    pub organization_kind: String,
    /// The offer or need kind; `None` for organisations.
    pub kind: Option<String>,
    pub sectors: Vec<String>,
    /// The posting's municipalities (its first place's, then its other
    /// places'), or an organisation's seat.
    pub municipality_codes: Vec<String>,
    /// The posting's neighbourhoods (its first place's, then its other
    /// places'), or the neighbourhoods an organisation serves.
    pub neighbourhood_ids: Vec<Uuid>,
    /// `open` or `closed` (organisations are `open`).
    pub status: String,
    /// Whether the owner is verified.
    pub verified: bool,
    /// Whether the owner is a third-sector body registered in the RUNTS:
    /// eligible for co-design under art. 55 of the Codice del Terzo Settore.
    pub registered_third_sector: bool,
    pub created_at: DateTime<Utc>,
    pub deadline_at: Option<DateTime<Utc>>,
    /// Offer amounts; a need's budget is both minimum and maximum.
    pub amount_min_cents: Option<i64>,
    pub amount_max_cents: Option<i64>,
    /// Where it is, as precisely as it may be shown publicly.
    pub location: Option<GeoPoint>,
}

impl SearchDocument {
    /// The unique key of its document: `offer:<uuid>`.
    pub fn key(&self) -> String {
        doc_key(self.doc_type, self.id)
    }
}

/// The unique key of a record's document.
pub fn doc_key(doc_type: DocType, id: Uuid) -> String {
    format!("{}:{id}", doc_type.as_str())
}

/// A record id as the two columns [`fast::ID_HIGH`] and [`fast::ID_LOW`]
/// hold it.
pub fn id_halves(id: Uuid) -> (u64, u64) {
    let bits = id.as_u128();
    ((bits >> 64) as u64, bits as u64)
}

/// The record id of the two columns' values.
pub fn id_of_halves(high: u64, low: u64) -> Uuid {
    Uuid::from_u128((u128::from(high) << 64) | u128::from(low))
}

/// Reads a document key back.
pub fn parse_key(key: &str) -> Option<(DocType, Uuid)> {
    let (doc_type, id) = key.split_once(':')?;
    Some((DocType::parse(doc_type).ok()?, Uuid::parse_str(id).ok()?))
}

/// Names of the fast fields, as the collector reads them.
pub mod fast {
    pub const ID_HIGH: &str = "id_high";
    pub const ID_LOW: &str = "id_low";
    pub const DOC_TYPE: &str = "doc_type";
    pub const ORGANIZATION_ID: &str = "organization_id";
    pub const ORGANIZATION_KIND: &str = "organization_kind";
    pub const KIND: &str = "kind";
    pub const SECTOR: &str = "sector";
    pub const MUNICIPALITY: &str = "municipality";
    pub const NEIGHBOURHOOD: &str = "neighbourhood";
    pub const STATUS: &str = "status";
    pub const VERIFIED: &str = "verified";
    pub const REGISTERED_THIRD_SECTOR: &str = "registered_third_sector";
    pub const CREATED: &str = "created_micros";
    pub const DEADLINE: &str = "deadline_micros";
    pub const AMOUNT_MIN: &str = "amount_min_cents";
    pub const AMOUNT_MAX: &str = "amount_max_cents";
    pub const LAT: &str = "lat";
    pub const LON: &str = "lon";
}

/// The fields of the schema.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    /// `organization:<uuid>`, `offer:<uuid>` or `need:<uuid>`: the unique key.
    pub key: Field,
    /// The record's id, high and low 64 bits, as columns: read for many
    /// documents at once (match candidates) without opening stored ones.
    pub id_high: Field,
    pub id_low: Field,
    pub doc_type: Field,
    /// Title (stored) and body (stored), stemmed.
    pub title_stem: Field,
    pub body_stem: Field,
    pub context_stem: Field,
    pub title_exact: Field,
    pub body_exact: Field,
    pub context_exact: Field,
    /// Title, body and context stemmed, documents only (no frequencies, no
    /// positions): matching, never scoring.
    pub any_stem: Field,
    pub organization_id: Field,
    pub organization_kind: Field,
    pub kind: Field,
    pub sector: Field,
    pub municipality: Field,
    pub neighbourhood: Field,
    pub status: Field,
    pub verified: Field,
    pub registered_third_sector: Field,
    pub created: Field,
    pub deadline: Field,
    pub amount_min: Field,
    pub amount_max: Field,
    pub lat: Field,
    pub lon: Field,
}

fn text(analyzer: &str, stored: bool) -> TextOptions {
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    if stored {
        options.set_stored()
    } else {
        options
    }
}

/// Builds the schema. Changing it requires bumping `SCHEMA_VERSION`.
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let keyword = STRING | FAST;
    let fields = Fields {
        key: b.add_text_field("key", STRING | STORED),
        id_high: b.add_u64_field(fast::ID_HIGH, FAST),
        id_low: b.add_u64_field(fast::ID_LOW, FAST),
        doc_type: b.add_text_field(fast::DOC_TYPE, keyword.clone()),
        title_stem: b.add_text_field("title_stem", text(STEM_ANALYZER, true)),
        body_stem: b.add_text_field("body_stem", text(STEM_ANALYZER, true)),
        context_stem: b.add_text_field("context_stem", text(STEM_ANALYZER, false)),
        title_exact: b.add_text_field("title_exact", text(EXACT_ANALYZER, false)),
        body_exact: b.add_text_field("body_exact", text(EXACT_ANALYZER, false)),
        context_exact: b.add_text_field("context_exact", text(EXACT_ANALYZER, false)),
        any_stem: b.add_text_field(
            "any_stem",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(STEM_ANALYZER)
                    .set_index_option(IndexRecordOption::Basic)
                    .set_fieldnorms(false),
            ),
        ),
        organization_id: b.add_text_field(fast::ORGANIZATION_ID, keyword.clone()),
        organization_kind: b.add_text_field(fast::ORGANIZATION_KIND, keyword.clone()),
        kind: b.add_text_field(fast::KIND, keyword.clone()),
        sector: b.add_text_field(fast::SECTOR, keyword.clone()),
        municipality: b.add_text_field(fast::MUNICIPALITY, keyword.clone()),
        neighbourhood: b.add_text_field(fast::NEIGHBOURHOOD, keyword.clone()),
        status: b.add_text_field(fast::STATUS, keyword),
        verified: b.add_u64_field(fast::VERIFIED, FAST),
        registered_third_sector: b.add_u64_field(fast::REGISTERED_THIRD_SECTOR, FAST),
        created: b.add_i64_field(fast::CREATED, FAST | INDEXED),
        deadline: b.add_i64_field(fast::DEADLINE, FAST | INDEXED),
        amount_min: b.add_i64_field(fast::AMOUNT_MIN, FAST),
        amount_max: b.add_i64_field(fast::AMOUNT_MAX, FAST),
        lat: b.add_f64_field(fast::LAT, FAST),
        lon: b.add_f64_field(fast::LON, FAST),
    };
    (b.build(), fields)
}

impl Fields {
    /// The tantivy document of a record.
    pub fn document(&self, doc: &SearchDocument) -> TantivyDocument {
        let mut out = TantivyDocument::new();
        out.add_text(self.key, doc.key());
        let (high, low) = id_halves(doc.id);
        out.add_u64(self.id_high, high);
        out.add_u64(self.id_low, low);
        out.add_text(self.doc_type, doc.doc_type.as_str());
        out.add_text(self.title_stem, &doc.title);
        out.add_text(self.title_exact, &doc.title);
        out.add_text(self.body_stem, &doc.body);
        out.add_text(self.body_exact, &doc.body);
        out.add_text(self.context_stem, &doc.context);
        out.add_text(self.context_exact, &doc.context);
        for text in [&doc.title, &doc.body, &doc.context] {
            out.add_text(self.any_stem, text);
        }
        out.add_text(self.organization_id, doc.organization_id.to_string());
        out.add_text(self.organization_kind, &doc.organization_kind);
        if let Some(kind) = &doc.kind {
            out.add_text(self.kind, kind);
        }
        for sector in &doc.sectors {
            out.add_text(self.sector, sector);
        }
        for code in &doc.municipality_codes {
            out.add_text(self.municipality, code);
        }
        for id in &doc.neighbourhood_ids {
            out.add_text(self.neighbourhood, id.to_string());
        }
        out.add_text(self.status, &doc.status);
        out.add_u64(self.verified, u64::from(doc.verified));
        out.add_u64(
            self.registered_third_sector,
            u64::from(doc.registered_third_sector),
        );
        out.add_i64(self.created, doc.created_at.timestamp_micros());
        if let Some(deadline) = doc.deadline_at {
            out.add_i64(self.deadline, deadline.timestamp_micros());
        }
        if let Some(min) = doc.amount_min_cents {
            out.add_i64(self.amount_min, min);
        }
        if let Some(max) = doc.amount_max_cents {
            out.add_i64(self.amount_max, max);
        }
        if let Some(point) = doc.location
            && point.lat.is_finite()
            && point.lon.is_finite()
        {
            out.add_f64(self.lat, point.lat);
            out.add_f64(self.lon, point.lon);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        let id = Uuid::now_v7();
        assert_eq!(
            parse_key(&doc_key(DocType::Offer, id)),
            Some((DocType::Offer, id))
        );
        assert_eq!(parse_key("offer"), None);
        assert_eq!(parse_key("thing:1"), None);
    }

    #[test]
    fn distances_are_in_kilometres() {
        let duomo = GeoPoint {
            lat: 45.4642,
            lon: 9.1900,
        };
        let sesto = GeoPoint {
            lat: 45.5361,
            lon: 9.2310,
        };
        let d = duomo.distance_km(sesto);
        assert!((8.0..9.5).contains(&d), "{d}");
        assert!(duomo.distance_km(duomo).abs() < 1e-9);
    }
}
