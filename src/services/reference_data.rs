//! Reference data every installation needs: the sectors taxonomy, Italy's
//! municipalities (ISTAT) and Milano's 88 neighbourhoods (NIL) with their
//! boundaries. The files ship inside the binary (see `assets/opendata/`, each
//! with its licence note), so a fresh clone needs nothing from outside.
//!
//! [`ensure_loaded`] runs at every start (and in `trama migrate`): when the
//! database already holds the shipped version of every set it costs one
//! small query; new or changed sets are upserted in one transaction,
//! together with their versions (`reference_data_versions`). Rows the shipped files no longer list are
//! kept: organisations, offers and needs may refer to them (a municipality
//! merged into another still names where an old record is).
//!
//! Loading must be quick, since every test starts on an empty database: the
//! files are parsed once per process, and the 7,904 municipalities go to the
//! database as one JSON parameter that the database unpacks itself
//! (`json_to_recordset` on PostgreSQL, `json_each` on SQLite) instead of
//! 87,000 bound values.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use anyhow::{Context, anyhow};
use sea_orm::{DatabaseConnection, DatabaseTransaction, TransactionTrait};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::store::entities::neighbourhoods;
use crate::store::reference_data::{self as store, MunicipalityRow};

/// ISTAT code of the Comune di Milano.
pub const MILANO: &str = "015146";

const MUNICIPALITIES_CSV: &str =
    include_str!("../../assets/opendata/comuni-italia/comuni_italia.csv");
const NIL_GEOJSON: &str = include_str!("../../assets/opendata/milano-nil/nil_milano.geojson");
const NIL_CENTROIDS_CSV: &str =
    include_str!("../../assets/opendata/milano-nil/nil_milano_centroidi.csv");

/// Bumped when the code that turns the shipped files into rows changes (a
/// new column, another way of writing names), so that databases loaded by
/// the old code are brought up to date even though the files did not change.
const LOADER_VERSION: u32 = 1;

/// Where Milano's NIL come from, stored with each of them.
const NIL_SOURCE: &str = "Comune di Milano, NIL (PGT Milano 2030), CC BY 4.0";

/// The sectors taxonomy: code, Italian name, English name.
pub const SECTORS: &[(&str, &str, &str)] = &[
    (
        "abitare",
        "Abitare e housing sociale",
        "Housing and social housing",
    ),
    (
        "welfare_comunita",
        "Welfare e servizi di comunità",
        "Community welfare and services",
    ),
    (
        "inclusione_sociale",
        "Inclusione sociale e contrasto alla povertà",
        "Social inclusion and poverty",
    ),
    (
        "rigenerazione_urbana",
        "Rigenerazione urbana e spazi",
        "Urban regeneration and spaces",
    ),
    ("beni_comuni", "Cura dei beni comuni", "Care of the commons"),
    (
        "lavoro",
        "Formazione e inserimento lavorativo",
        "Training and job placement",
    ),
    (
        "economia_prossimita",
        "Economia di prossimità",
        "Proximity economy",
    ),
    ("salute", "Salute e assistenza", "Health and care"),
    ("anziani", "Anziani", "Older people"),
    (
        "educazione",
        "Educazione, infanzia e giovani",
        "Education, children and youth",
    ),
    (
        "cultura",
        "Cultura e animazione",
        "Culture and community events",
    ),
    (
        "migranti",
        "Migranti e intercultura",
        "Migrants and intercultural work",
    ),
    ("digitale", "Inclusione digitale", "Digital inclusion"),
    (
        "ambiente",
        "Ambiente e verde",
        "Environment and green spaces",
    ),
    ("sport", "Sport", "Sport"),
    ("finanza_sociale", "Finanza sociale", "Social finance"),
];

/// The shipped reference data sets, in the order they load (the NIL refer
/// to Milano among the municipalities).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dataset {
    Sectors,
    Municipalities,
    MilanoNil,
}

impl Dataset {
    pub const ALL: [Self; 3] = [Self::Sectors, Self::Municipalities, Self::MilanoNil];

    /// The name recorded in `reference_data_versions`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sectors => "sectors",
            Self::Municipalities => "municipalities",
            Self::MilanoNil => "milano_nil",
        }
    }

    /// A digest of the shipped content and of [`LOADER_VERSION`], computed
    /// once per process.
    pub fn version(self) -> &'static str {
        static VERSIONS: OnceLock<[String; 3]> = OnceLock::new();
        let versions = VERSIONS.get_or_init(|| {
            let digest = |parts: &[&[u8]]| {
                let mut hasher = Sha256::new();
                hasher.update(LOADER_VERSION.to_be_bytes());
                for part in parts {
                    // Length-prefixed, so that moving bytes between parts
                    // changes the digest.
                    hasher.update((part.len() as u64).to_be_bytes());
                    hasher.update(part);
                }
                hasher
                    .finalize()
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
            };
            let sectors: String = SECTORS
                .iter()
                .map(|(code, it, en)| format!("{code}\t{it}\t{en}\n"))
                .collect();
            [
                digest(&[sectors.as_bytes()]),
                digest(&[MUNICIPALITIES_CSV.as_bytes()]),
                digest(&[NIL_CENTROIDS_CSV.as_bytes(), NIL_GEOJSON.as_bytes()]),
            ]
        });
        match self {
            Self::Sectors => &versions[0],
            Self::Municipalities => &versions[1],
            Self::MilanoNil => &versions[2],
        }
    }
}

/// What a start did with one set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The database already held the shipped version: nothing was written.
    Current,
    /// The set was written (inserted, or updated to the shipped version).
    Loaded { rows: usize },
}

/// What [`ensure_loaded`] did with each set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReferenceReport {
    pub sectors: Outcome,
    pub municipalities: Outcome,
    pub neighbourhoods: Outcome,
}

impl ReferenceReport {
    /// Whether every set was already current (nothing written).
    pub fn is_current(&self) -> bool {
        [self.sectors, self.municipalities, self.neighbourhoods]
            .iter()
            .all(|o| *o == Outcome::Current)
    }
}

impl fmt::Display for ReferenceReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let part = |outcome: Outcome| match outcome {
            Outcome::Current => "current".to_owned(),
            Outcome::Loaded { rows } => format!("{rows} loaded"),
        };
        write!(
            f,
            "reference data: sectors {}, municipalities {}, Milano NIL {}",
            part(self.sectors),
            part(self.municipalities),
            part(self.neighbourhoods)
        )
    }
}

/// Loads every reference set whose shipped version the database does not
/// hold, in one transaction with their versions. Fails on database errors,
/// or when a shipped file does not parse (a packaging bug: the files are
/// compiled in).
#[tracing::instrument(skip_all)]
pub async fn ensure_loaded(db: &DatabaseConnection) -> anyhow::Result<ReferenceReport> {
    let outcomes = load_sets(db, &Dataset::ALL).await?;
    let outcome = |dataset: Dataset| {
        outcomes
            .iter()
            .find(|(d, _)| *d == dataset)
            .map_or(Outcome::Current, |(_, o)| *o)
    };
    let report = ReferenceReport {
        sectors: outcome(Dataset::Sectors),
        municipalities: outcome(Dataset::Municipalities),
        neighbourhoods: outcome(Dataset::MilanoNil),
    };
    if !report.is_current() {
        tracing::info!(%report, "reference data loaded");
    }
    Ok(report)
}

/// The sectors of [`SECTORS`] (new ones added, names brought up to date),
/// unless the database holds this version.
pub async fn load_sectors(db: &DatabaseConnection) -> anyhow::Result<Outcome> {
    only(load_sets(db, &[Dataset::Sectors]).await?)
}

/// Italy's municipalities (new ones added, changed ones updated), unless the
/// database holds this version. Their coordinates are approximate geocodes
/// and are stored as such.
pub async fn load_municipalities(db: &DatabaseConnection) -> anyhow::Result<Outcome> {
    only(load_sets(db, &[Dataset::Municipalities]).await?)
}

/// Milano's 88 NIL (boundaries and centroids; new ones added, changed ones
/// updated), unless the database holds this version; with the
/// municipalities when they are not current, since the NIL refer to Milano.
pub async fn load_milano_neighbourhoods(db: &DatabaseConnection) -> anyhow::Result<Outcome> {
    let outcomes = load_sets(db, &[Dataset::Municipalities, Dataset::MilanoNil]).await?;
    only(
        outcomes
            .into_iter()
            .filter(|(d, _)| *d == Dataset::MilanoNil)
            .collect(),
    )
}

/// The outcome of the one set asked for.
fn only(outcomes: Vec<(Dataset, Outcome)>) -> anyhow::Result<Outcome> {
    Ok(outcomes.first().map_or(Outcome::Current, |(_, o)| *o))
}

/// Writes the `sets` (in the order given) whose shipped version the
/// database does not hold, with their versions, in one transaction: one
/// query when all are current, one commit otherwise.
async fn load_sets(
    db: &DatabaseConnection,
    sets: &[Dataset],
) -> anyhow::Result<Vec<(Dataset, Outcome)>> {
    let recorded = store::versions(db).await?;
    let is_current = |dataset: Dataset| {
        recorded
            .iter()
            .any(|(name, version)| name == dataset.name() && version == dataset.version())
    };
    if sets.iter().all(|d| is_current(*d)) {
        return Ok(sets.iter().map(|d| (*d, Outcome::Current)).collect());
    }
    let txn = db.begin().await?;
    let mut outcomes = Vec::with_capacity(sets.len());
    for &dataset in sets {
        if is_current(dataset) {
            outcomes.push((dataset, Outcome::Current));
            continue;
        }
        let rows = write(&txn, dataset)
            .await
            .with_context(|| format!("loading the reference data set {}", dataset.name()))?;
        store::record_version(
            &txn,
            dataset.name(),
            dataset.version(),
            rows,
            crate::services::now(),
        )
        .await?;
        outcomes.push((dataset, Outcome::Loaded { rows }));
    }
    txn.commit().await?;
    Ok(outcomes)
}

/// Upserts the shipped rows of `dataset`; returns how many there are.
async fn write(txn: &DatabaseTransaction, dataset: Dataset) -> anyhow::Result<usize> {
    match dataset {
        Dataset::Sectors => write_sectors(txn).await,
        Dataset::Municipalities => write_municipalities(txn).await,
        Dataset::MilanoNil => write_milano_nil(txn).await,
    }
}

async fn write_sectors(txn: &DatabaseTransaction) -> anyhow::Result<usize> {
    store::upsert_sectors(txn, SECTORS).await?;
    Ok(SECTORS.len())
}

/// The shipped municipalities as one JSON array (the parameter of the bulk
/// upsert) and their number, parsed once per process.
fn municipalities_json() -> anyhow::Result<&'static (String, usize)> {
    static PARSED: OnceLock<Result<(String, usize), String>> = OnceLock::new();
    PARSED
        .get_or_init(|| {
            let mut reader = csv::Reader::from_reader(MUNICIPALITIES_CSV.as_bytes());
            let rows = reader
                .deserialize::<MunicipalityRow>()
                .enumerate()
                .map(|(index, row)| {
                    row.map_err(|e| format!("comuni_italia.csv, line {}: {e}", index + 2))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let json = serde_json::to_string(&rows).map_err(|e| e.to_string())?;
            Ok((json, rows.len()))
        })
        .as_ref()
        .map_err(|e| anyhow!("{e}"))
}

/// One statement for all 7,904: the database unpacks the JSON array itself.
async fn write_municipalities(txn: &DatabaseTransaction) -> anyhow::Result<usize> {
    let (json, rows) = municipalities_json()?;
    store::upsert_municipalities(txn, json).await?;
    Ok(*rows)
}

/// The stable id of a neighbourhood: derived from its municipality and
/// official code, so every installation (and every process) agrees on it.
pub fn neighbourhood_id(municipality_code: &str, code: &str) -> Uuid {
    Uuid::new_v5(
        &Uuid::NAMESPACE_URL,
        format!("https://trama.social/neighbourhood/{municipality_code}/{code}").as_bytes(),
    )
}

#[derive(serde::Deserialize)]
struct CentroidRow {
    #[serde(rename = "ID_NIL")]
    id: u32,
    #[serde(rename = "NIL")]
    name: String,
    centroid_lon: f64,
    centroid_lat: f64,
    area_m2: Option<f64>,
}

/// Milano's NIL as rows (centroids, names, boundaries), parsed once per
/// process.
fn milano_nil_rows() -> anyhow::Result<&'static [neighbourhoods::Model]> {
    static PARSED: OnceLock<Result<Vec<neighbourhoods::Model>, String>> = OnceLock::new();
    PARSED
        .get_or_init(|| {
            let geojson: serde_json::Value = serde_json::from_str(NIL_GEOJSON)
                .map_err(|e| format!("nil_milano.geojson is not JSON: {e}"))?;
            let mut boundaries = HashMap::new();
            for feature in geojson["features"].as_array().into_iter().flatten() {
                if let Some(id) = feature["properties"]["ID_NIL"].as_u64() {
                    boundaries.insert(id, feature["geometry"].to_string());
                }
            }
            let mut reader = csv::Reader::from_reader(NIL_CENTROIDS_CSV.as_bytes());
            reader
                .deserialize::<CentroidRow>()
                .enumerate()
                .map(|(index, row)| {
                    let row = row.map_err(|e| {
                        format!("nil_milano_centroidi.csv, line {}: {e}", index + 2)
                    })?;
                    let code = row.id.to_string();
                    Ok(neighbourhoods::Model {
                        id: neighbourhood_id(MILANO, &code),
                        municipality_code: MILANO.to_owned(),
                        code,
                        name: title_case(&row.name),
                        centroid_lat: row.centroid_lat,
                        centroid_lon: row.centroid_lon,
                        boundary_geojson: boundaries.get(&u64::from(row.id)).cloned(),
                        area_m2: row.area_m2,
                        source: NIL_SOURCE.to_owned(),
                    })
                })
                .collect()
        })
        .as_deref()
        .map_err(|e| anyhow!("{e}"))
}

async fn write_milano_nil(txn: &DatabaseTransaction) -> anyhow::Result<usize> {
    let rows = milano_nil_rows()?;
    store::upsert_neighbourhoods(txn, rows).await?;
    Ok(rows.len())
}

/// "GRATOSOGLIO - Q.RE MISSAGLIA" → "Gratosoglio - Q.re Missaglia": the
/// official names are upper case, which reads as shouting in a page. Upper-case
/// Italian writes a final accent as an apostrophe ("CITTA'"): a word of four
/// letters or more ending in vowel + apostrophe gets its accent back, while
/// short elisions such as "CA'" (casa) keep the apostrophe.
pub fn title_case(name: &str) -> String {
    restore_final_accents(&title_case_ascii(name))
}

fn restore_final_accents(name: &str) -> String {
    name.split(' ')
        .map(|word| {
            let chars: Vec<char> = word.chars().collect();
            let accented = match chars.as_slice() {
                [.., vowel, '\''] if chars.len() >= 5 => match vowel {
                    'a' => Some('à'),
                    'e' => Some('è'),
                    'i' => Some('ì'),
                    'o' => Some('ò'),
                    'u' => Some('ù'),
                    _ => None,
                },
                _ => None,
            };
            match accented {
                Some(accent) => chars[..chars.len() - 2]
                    .iter()
                    .chain(std::iter::once(&accent))
                    .collect(),
                None => word.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn title_case_ascii(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut start_of_word = true;
    for ch in name.chars() {
        if ch.is_alphabetic() {
            if start_of_word {
                out.extend(ch.to_uppercase());
            } else {
                out.extend(ch.to_lowercase());
            }
            start_of_word = false;
        } else {
            out.push(ch);
            // Letters after an apostrophe or a dot stay lower case ("Ca'", "Q.re"),
            // except after a space or a hyphen.
            start_of_word = ch == ' ' || ch == '-' || ch == '(';
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbourhood_names_are_readable() {
        assert_eq!(title_case("SAN SIRO"), "San Siro");
        assert_eq!(
            title_case("GRATOSOGLIO - Q.RE MISSAGLIA - Q.RE TERRAZZE"),
            "Gratosoglio - Q.re Missaglia - Q.re Terrazze"
        );
        assert_eq!(title_case("CITTA' STUDI"), "Città Studi");
        assert_eq!(
            title_case("MONLUE' - PONTE LAMBRO"),
            "Monluè - Ponte Lambro"
        );
        assert_eq!(
            title_case("NIGUARDA - CA' GRANDA - PRATO CENTENARO"),
            "Niguarda - Ca' Granda - Prato Centenaro"
        );
    }

    #[test]
    fn neighbourhood_ids_are_stable() {
        assert_eq!(
            neighbourhood_id(MILANO, "57"),
            neighbourhood_id(MILANO, "57")
        );
        assert_ne!(
            neighbourhood_id(MILANO, "57"),
            neighbourhood_id(MILANO, "53")
        );
    }
}
