//! Reference data every installation needs: the sectors taxonomy, Italy's
//! municipalities (ISTAT) and Milano's 88 neighbourhoods (NIL). The files ship
//! inside the binary (see `assets/opendata/`, each with its licence note), so a
//! fresh clone needs nothing from outside. Loading is idempotent: rows already
//! present are left alone.

use std::collections::HashSet;

use anyhow::Context;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, Set,
    TransactionTrait,
};
use uuid::Uuid;

use crate::store::entities::{municipalities, neighbourhoods, sectors};

/// ISTAT code of the Comune di Milano.
pub const MILANO: &str = "015146";

const MUNICIPALITIES_CSV: &str =
    include_str!("../../assets/opendata/comuni-italia/comuni_italia.csv");
const NIL_GEOJSON: &str = include_str!("../../assets/opendata/milano-nil/nil_milano.geojson");
const NIL_CENTROIDS_CSV: &str =
    include_str!("../../assets/opendata/milano-nil/nil_milano_centroidi.csv");

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

/// What a load added.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Loaded {
    pub added: usize,
    pub already_present: usize,
}

/// Inserts the sectors of [`SECTORS`] that are missing.
pub async fn load_sectors(db: &impl ConnectionTrait) -> anyhow::Result<Loaded> {
    let present: HashSet<String> = sectors::Entity::find()
        .select_only()
        .column(sectors::Column::Code)
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let missing: Vec<sectors::ActiveModel> = SECTORS
        .iter()
        .enumerate()
        .filter(|(_, (code, _, _))| !present.contains(*code))
        .map(|(position, (code, it, en))| sectors::ActiveModel {
            code: Set((*code).to_owned()),
            name_it: Set((*it).to_owned()),
            name_en: Set((*en).to_owned()),
            parent_code: Set(None),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
        })
        .collect();
    let added = missing.len();
    if !missing.is_empty() {
        sectors::Entity::insert_many(missing).exec(db).await?;
    }
    Ok(Loaded {
        added,
        already_present: present.len(),
    })
}

#[derive(serde::Deserialize)]
struct MunicipalityRow {
    codice_istat: String,
    nome: String,
    sigla_provincia: String,
    provincia: String,
    regione: String,
    codice_regione: String,
    codice_catastale: String,
    popolazione: Option<i32>,
    lat: Option<f64>,
    lon: Option<f64>,
}

/// Inserts the Italian municipalities that are missing, in one transaction.
/// Their coordinates are approximate geocodes and are stored as such.
pub async fn load_municipalities(db: &DatabaseConnection) -> anyhow::Result<Loaded> {
    let present: HashSet<String> = municipalities::Entity::find()
        .select_only()
        .column(municipalities::Column::IstatCode)
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut reader = csv::Reader::from_reader(MUNICIPALITIES_CSV.as_bytes());
    let mut missing = Vec::new();
    for (index, row) in reader.deserialize::<MunicipalityRow>().enumerate() {
        let row = row.with_context(|| format!("comuni_italia.csv, line {}", index + 2))?;
        if present.contains(&row.codice_istat) {
            continue;
        }
        missing.push(municipalities::ActiveModel {
            istat_code: Set(row.codice_istat),
            name: Set(row.nome),
            province_code: Set(row.sigla_provincia),
            province_name: Set(row.provincia),
            region_code: Set(row.codice_regione),
            region_name: Set(row.regione),
            cadastral_code: Set(row.codice_catastale),
            population: Set(row.popolazione),
            lat: Set(row.lat),
            lon: Set(row.lon),
            coordinates_approximate: Set(true),
        });
    }
    let added = missing.len();
    let txn = db.begin().await?;
    for chunk in missing.chunks(500) {
        municipalities::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(Loaded {
        added,
        already_present: present.len(),
    })
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

/// Inserts Milano's 88 NIL neighbourhoods (boundaries and centroids) that are
/// missing. Milano must already be among the municipalities.
pub async fn load_milano_neighbourhoods(db: &DatabaseConnection) -> anyhow::Result<Loaded> {
    let geojson: serde_json::Value =
        serde_json::from_str(NIL_GEOJSON).context("nil_milano.geojson is not JSON")?;
    let mut boundaries = std::collections::HashMap::new();
    for feature in geojson["features"].as_array().into_iter().flatten() {
        if let Some(id) = feature["properties"]["ID_NIL"].as_u64() {
            boundaries.insert(id, feature["geometry"].to_string());
        }
    }
    let present: HashSet<Uuid> = neighbourhoods::Entity::find()
        .select_only()
        .column(neighbourhoods::Column::Id)
        .filter(neighbourhoods::Column::MunicipalityCode.eq(MILANO))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut reader = csv::Reader::from_reader(NIL_CENTROIDS_CSV.as_bytes());
    let mut missing = Vec::new();
    for (index, row) in reader.deserialize::<CentroidRow>().enumerate() {
        let row = row.with_context(|| format!("nil_milano_centroidi.csv, line {}", index + 2))?;
        let code = row.id.to_string();
        let id = neighbourhood_id(MILANO, &code);
        if present.contains(&id) {
            continue;
        }
        missing.push(neighbourhoods::ActiveModel {
            id: Set(id),
            municipality_code: Set(MILANO.to_owned()),
            code: Set(code),
            name: Set(title_case(&row.name)),
            centroid_lat: Set(row.centroid_lat),
            centroid_lon: Set(row.centroid_lon),
            boundary_geojson: Set(boundaries.get(&u64::from(row.id)).cloned()),
            area_m2: Set(row.area_m2),
            source: Set("Comune di Milano, NIL (PGT Milano 2030), CC BY 4.0".to_owned()),
        });
    }
    let added = missing.len();
    let txn = db.begin().await?;
    for chunk in missing.chunks(100) {
        neighbourhoods::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(Loaded {
        added,
        already_present: present.len(),
    })
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
