//! The benchmark corpus: organisations, offers and needs made up from the real
//! names and places of the open data (Italy's municipalities, Milano's NIL
//! neighbourhoods, the sports associations of the 5x1000 registry) and Italian
//! social-economy text, deterministically from a seed.
//!
//! The documents are [`SearchDocument`]s as `services::search_docs` builds
//! them: title, description, and a context of labels (kind, sectors, owner,
//! municipality, province, neighbourhood), with kinds, sectors, places,
//! amounts, deadlines and coordinates. Every document is open (the index only
//! ever holds searchable records), so the three engines search the same set.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::{DateTime, Duration, TimeZone, Utc};
use trama::domain::{Lang, NeedKind, OfferKind, OrganizationKind};
use trama::search::{DocType, GeoPoint, SearchDocument};
use trama::services::reference_data::{MILANO, SECTORS, neighbourhood_id, title_case};
use uuid::Uuid;

use crate::rng::{Rng, Weighted};

pub struct Municipality {
    pub code: String,
    pub name: String,
    pub province_plate: String,
    pub province: String,
    pub population: f64,
    pub point: Option<GeoPoint>,
}

pub struct Neighbourhood {
    pub id: Uuid,
    pub name: String,
    pub point: GeoPoint,
}

pub struct Registered {
    pub name: String,
    pub municipality: Option<usize>,
}

/// The open data the corpus is made from.
pub struct OpenData {
    pub dir: PathBuf,
    pub municipalities: Vec<Municipality>,
    pub neighbourhoods: Vec<Neighbourhood>,
    pub associations: Vec<Registered>,
}

/// Columns by (case-insensitive) name.
fn header_index(reader: &mut csv::Reader<std::fs::File>) -> anyhow::Result<HashMap<String, usize>> {
    Ok(reader
        .headers()?
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim().to_lowercase(), i))
        .collect())
}

fn column(columns: &HashMap<String, usize>, name: &str, file: &Path) -> anyhow::Result<usize> {
    columns
        .get(name)
        .copied()
        .with_context(|| format!("{}: no column {name}", file.display()))
}

impl OpenData {
    /// Reads `shared/data` (the full registry) or, when it is missing, the
    /// copies the project ships in `assets/opendata` (the registry limited to
    /// the Province of Milano).
    pub fn load(shared: &Path, shipped: &Path) -> anyhow::Result<Self> {
        let asd_full = shared.join("asd-5x1000-2014/elenco_beneficiari_asd_5x1000_2014.csv");
        let (dir, asd) = if asd_full.exists() {
            (shared.to_path_buf(), asd_full)
        } else {
            (
                shipped.to_path_buf(),
                shipped.join("asd-5x1000-2014/asd_provincia_milano.csv"),
            )
        };
        let municipalities = Self::municipalities(&dir.join("comuni-italia/comuni_italia.csv"))?;
        let neighbourhoods =
            Self::neighbourhoods(&dir.join("milano-nil/nil_milano_centroidi.csv"))?;
        let associations = Self::associations(&asd, &municipalities)?;
        if municipalities.is_empty() || neighbourhoods.is_empty() || associations.is_empty() {
            bail!("the open data in {} is empty", dir.display());
        }
        Ok(Self {
            dir,
            municipalities,
            neighbourhoods,
            associations,
        })
    }

    fn municipalities(file: &Path) -> anyhow::Result<Vec<Municipality>> {
        let mut reader =
            csv::Reader::from_path(file).with_context(|| format!("{}", file.display()))?;
        let c = header_index(&mut reader)?;
        let (code, name, plate, province, population, lat, lon) = (
            column(&c, "codice_istat", file)?,
            column(&c, "nome", file)?,
            column(&c, "sigla_provincia", file)?,
            column(&c, "provincia", file)?,
            column(&c, "popolazione", file)?,
            column(&c, "lat", file)?,
            column(&c, "lon", file)?,
        );
        let mut out = Vec::new();
        for row in reader.records() {
            let row = row?;
            let get = |i: usize| row.get(i).unwrap_or("").trim().to_owned();
            let point = match (get(lat).parse::<f64>(), get(lon).parse::<f64>()) {
                (Ok(lat), Ok(lon)) => Some(GeoPoint { lat, lon }),
                _ => None,
            };
            out.push(Municipality {
                code: get(code),
                name: get(name),
                province_plate: get(plate),
                province: get(province),
                population: get(population).parse().unwrap_or(1000.0),
                point,
            });
        }
        Ok(out)
    }

    fn neighbourhoods(file: &Path) -> anyhow::Result<Vec<Neighbourhood>> {
        let mut reader =
            csv::Reader::from_path(file).with_context(|| format!("{}", file.display()))?;
        let c = header_index(&mut reader)?;
        let (id, name, lon, lat) = (
            column(&c, "id_nil", file)?,
            column(&c, "nil", file)?,
            column(&c, "centroid_lon", file)?,
            column(&c, "centroid_lat", file)?,
        );
        let mut out = Vec::new();
        for row in reader.records() {
            let row = row?;
            let get = |i: usize| row.get(i).unwrap_or("").trim().to_owned();
            out.push(Neighbourhood {
                id: neighbourhood_id(MILANO, &get(id)),
                name: title_case(&get(name)),
                point: GeoPoint {
                    lat: get(lat).parse().context("NIL latitude")?,
                    lon: get(lon).parse().context("NIL longitude")?,
                },
            });
        }
        Ok(out)
    }

    fn associations(
        file: &Path,
        municipalities: &[Municipality],
    ) -> anyhow::Result<Vec<Registered>> {
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, m) in municipalities.iter().enumerate() {
            by_name.entry(m.name.to_uppercase()).or_default().push(i);
        }
        let mut reader =
            csv::Reader::from_path(file).with_context(|| format!("{}", file.display()))?;
        let c = header_index(&mut reader)?;
        let name = column(&c, "denominazione", file)?;
        let comune = column(&c, "comune", file)?;
        let province = c.get("provincia").copied();
        let mut out = Vec::new();
        for row in reader.records() {
            let row = row?;
            let get = |i: usize| row.get(i).unwrap_or("").trim().to_owned();
            let plate = province.map(get).unwrap_or_else(|| "MI".to_owned());
            let municipality = by_name.get(&get(comune)).and_then(|found| {
                found
                    .iter()
                    .copied()
                    .find(|&i| municipalities[i].province_plate == plate)
                    .or_else(|| found.first().copied())
            });
            let raw = get(name);
            if raw.is_empty() {
                continue;
            }
            out.push(Registered {
                name: title_case(&raw),
                municipality,
            });
        }
        Ok(out)
    }
}

// ---------------------------------------------------------------------------
// Vocabulary

const ACTIVITIES: &[&str] = &[
    "portierato sociale",
    "abitare collaborativo",
    "doposcuola",
    "custodia sociale",
    "orti condivisi",
    "inserimento lavorativo",
    "housing sociale",
    "mediazione dei conflitti",
    "accompagnamento all'abitare",
    "cohousing",
    "laboratori di quartiere",
    "sportello per gli inquilini",
    "cura del verde",
    "assistenza domiciliare",
    "educativa di strada",
    "banco alimentare",
    "emporio solidale",
    "alfabetizzazione digitale",
    "corsi di italiano per stranieri",
    "aiuto compiti",
    "animazione di comunità",
    "orti urbani",
    "mediazione sociale",
    "teatro di comunità",
    "ciclofficina",
    "sartoria sociale",
    "falegnameria sociale",
    "coabitazione intergenerazionale",
    "mensa solidale",
    "gruppo di acquisto solidale",
    "trasporto sociale",
    "consegna della spesa a domicilio",
    "ginnastica dolce per anziani",
    "calcio giovanile",
    "centro estivo",
    "ludoteca",
    "sostegno psicologico",
    "segretariato sociale",
    "orientamento al lavoro",
    "tirocini formativi",
    "bilancio di competenze",
    "coworking sociale",
    "agenzia sociale per la locazione",
    "accoglienza di richiedenti asilo",
    "housing first",
    "residenzialità leggera",
    "patti di collaborazione",
    "coprogettazione",
    "rigenerazione urbana",
    "welfare di comunità",
    "economia circolare",
    "riuso dei materiali",
    "riparazione di elettrodomestici",
    "compostaggio di comunità",
    "apicoltura urbana",
    "biblioteca di condominio",
    "cinema all'aperto",
    "feste di via",
    "mercato contadino",
    "cucina di comunità",
    "baby parking",
    "manutenzione dei cortili",
    "pulizia dei parchi",
    "nuoto per persone con disabilità",
    "raccolta di abiti usati",
    "comunità energetica",
    "agricoltura sociale",
    "teatro sociale",
    "musicoterapia",
    "pet therapy",
];

const TARGETS: &[&str] = &[
    "anziani soli",
    "famiglie fragili",
    "bambini e ragazzi",
    "persone con disabilità",
    "giovani NEET",
    "migranti",
    "inquilini delle case popolari",
    "residenti del quartiere",
    "studenti fuori sede",
    "nuclei monoparentali",
    "donne vittime di violenza",
    "minori stranieri non accompagnati",
    "persone senza dimora",
    "disoccupati di lungo periodo",
    "caregiver familiari",
    "adolescenti",
    "neomamme",
    "pensionati",
    "detenuti ed ex detenuti",
    "persone con fragilità psichica",
    "lavoratori precari",
    "famiglie numerose",
    "giovani coppie",
    "rifugiati",
    "richiedenti asilo",
    "commercianti di vicinato",
    "scuole del territorio",
    "over 65",
];

const SPACES: &[&str] = &[
    "un locale al piano terra",
    "i cortili delle case ERP",
    "un ex negozio sfitto",
    "una cascina da ristrutturare",
    "un capannone dismesso",
    "una scuola chiusa",
    "un ex mercato comunale",
    "un alloggio sfitto",
    "una palazzina da rigenerare",
    "un magazzino inutilizzato",
    "un giardino condiviso",
    "una sala polifunzionale",
    "uno spazio ex industriale",
    "un oratorio",
    "una biblioteca di quartiere",
    "un chiosco abbandonato",
    "gli spazi comuni del condominio",
    "un ex asilo",
    "una villa confiscata alla mafia",
    "un terreno agricolo incolto",
    "una stazione dismessa",
    "un centro civico",
    "un ex lavatoio",
    "una palestra comunale",
    "un campo sportivo",
    "un parco di quartiere",
    "una casa cantoniera",
    "un ex convento",
];

const THEMES: &[&str] = &[
    "abitare sociale",
    "rigenerazione urbana",
    "inclusione sociale",
    "contrasto alla povertà educativa",
    "welfare di comunità",
    "invecchiamento attivo",
    "transizione ecologica",
    "economia circolare",
    "cultura e partecipazione",
    "sport sociale",
    "innovazione sociale",
    "autonomia abitativa",
    "povertà energetica",
    "comunità energetiche",
    "cura dei beni comuni",
    "salute mentale di comunità",
    "integrazione dei migranti",
    "digitalizzazione del terzo settore",
    "agricoltura sociale",
    "turismo sostenibile",
    "mobilità dolce",
    "prevenzione del disagio giovanile",
    "conciliazione dei tempi di vita e di lavoro",
];

const FUNDERS: &[&str] = &[
    "una fondazione di origine bancaria",
    "la Regione",
    "il Comune",
    "la Città metropolitana",
    "il PNRR",
    "il Fondo sociale europeo (FSE)",
    "la fondazione di comunità",
    "la banca di credito cooperativo",
    "il ministero del Lavoro e delle politiche sociali",
    "l'otto per mille",
    "il cinque per mille",
    "un'impresa del territorio",
    "l'ALER",
    "il Centro di servizio per il volontariato",
];

const NAME_CORES: &[&str] = &[
    "La Ginestra",
    "Il Melograno",
    "Arcobaleno",
    "Il Sentiero",
    "La Tenda",
    "Terra Nuova",
    "Il Girasole",
    "La Cordata",
    "Il Ponte",
    "La Rete",
    "Il Portico",
    "La Bottega",
    "Casa Comune",
    "Il Cortile",
    "La Piazza",
    "Il Granaio",
    "La Lanterna",
    "Il Faro",
    "L'Approdo",
    "La Bussola",
    "Il Seme",
    "La Radice",
    "Germoglio",
    "Il Quadrifoglio",
    "La Fenice",
    "La Nuvola",
    "Il Gabbiano",
    "L'Aquilone",
    "Il Mosaico",
    "La Trottola",
    "Il Cerchio",
    "Spazio Aperto",
    "Porte Aperte",
    "Passo dopo Passo",
    "Insieme",
    "Progetto Casa",
    "Casa Amica",
    "Vivere Insieme",
    "Nuovi Orizzonti",
    "Il Pane e le Rose",
    "La Goccia",
    "Il Mandorlo",
    "La Quercia",
    "Il Castagno",
    "L'Edera",
    "Il Glicine",
    "La Betulla",
    "San Martino",
    "Sant'Anna",
    "San Francesco",
    "Don Milani",
    "Don Bosco",
    "Il Villaggio",
    "La Corte",
    "Filo di Seta",
    "Mani in Pasta",
    "Il Tetto",
    "Casa Aperta",
    "Il Chicco",
    "La Comune",
];

/// Words of registry names that say only what the body is.
const GENERIC_NAME_WORDS: &[&str] = &[
    "ASSOCIAZIONE",
    "SPORTIVA",
    "DILETTANTISTICA",
    "POLISPORTIVA",
    "SOCIETA",
    "CALCIO",
    "GRUPPO",
    "CIRCOLO",
    "SPORTIVO",
    "DILETTANTISTICO",
    "CLUB",
    "UNIONE",
];

const KIND_WEIGHTS: &[(OrganizationKind, f64)] = &[
    (OrganizationKind::Association, 18.0),
    (OrganizationKind::Aps, 14.0),
    (OrganizationKind::Odv, 12.0),
    (OrganizationKind::SocialCooperativeA, 10.0),
    (OrganizationKind::SocialCooperativeB, 8.0),
    (OrganizationKind::HousingCooperative, 6.0),
    (OrganizationKind::CommunityCooperative, 3.0),
    (OrganizationKind::Onlus, 5.0),
    (OrganizationKind::SocialEnterprise, 4.0),
    (OrganizationKind::InformalGroup, 6.0),
    (OrganizationKind::Foundation, 3.0),
    (OrganizationKind::BankingFoundation, 0.5),
    (OrganizationKind::Bank, 1.0),
    (OrganizationKind::Municipality, 4.0),
    (OrganizationKind::MetropolitanCity, 0.3),
    (OrganizationKind::Region, 0.2),
    (OrganizationKind::PublicHousingAgency, 1.0),
    (OrganizationKind::Asp, 1.0),
    (OrganizationKind::PublicHealthBody, 1.0),
];

// ---------------------------------------------------------------------------
// Generator

/// 1,000 euro in cents.
const THOUSAND_EURO: i64 = 100_000;

#[derive(Clone)]
struct Org {
    id: Uuid,
    name: String,
    kind: OrganizationKind,
    municipality: usize,
    verified: bool,
}

/// Deterministic document generator.
pub struct Generator<'a> {
    data: &'a OpenData,
    rng: Rng,
    everywhere: Weighted,
    metro: Vec<usize>,
    metro_weights: Weighted,
    milano: Option<usize>,
    kinds: Weighted,
    name_words: Vec<String>,
    orgs: Vec<Org>,
    next_registered: usize,
    now: DateTime<Utc>,
}

/// What a generated corpus holds.
#[derive(Default, Debug)]
pub struct CorpusStats {
    pub organizations: usize,
    pub offers: usize,
    pub needs: usize,
    pub registry_names: usize,
    pub text_bytes: usize,
    pub words: usize,
}

impl<'a> Generator<'a> {
    pub fn new(data: &'a OpenData, seed: u64) -> Self {
        let everywhere = Weighted::new(data.municipalities.iter().map(|m| m.population));
        let metro: Vec<usize> = (0..data.municipalities.len())
            .filter(|&i| data.municipalities[i].province_plate == "MI")
            .collect();
        let metro_weights = Weighted::new(metro.iter().map(|&i| data.municipalities[i].population));
        let milano = data.municipalities.iter().position(|m| m.code == MILANO);
        let mut name_words: Vec<String> = data
            .associations
            .iter()
            .flat_map(|a| a.name.split([' ', '.', '\'', '-']))
            .filter(|w| {
                w.chars().count() >= 5
                    && w.chars().all(char::is_alphabetic)
                    && !GENERIC_NAME_WORDS.contains(&w.to_uppercase().as_str())
            })
            .map(str::to_owned)
            .collect();
        name_words.sort();
        name_words.dedup();
        Self {
            data,
            rng: Rng::new(seed),
            everywhere,
            metro,
            metro_weights,
            milano,
            kinds: Weighted::new(KIND_WEIGHTS.iter().map(|(_, w)| *w)),
            name_words,
            orgs: Vec::new(),
            next_registered: 0,
            now: Utc
                .with_ymd_and_hms(2026, 11, 15, 12, 0, 0)
                .single()
                .unwrap_or_else(Utc::now),
        }
    }

    /// `n` documents: one organisation in five, the rest offers and needs of
    /// the organisations already made.
    pub fn generate(&mut self, n: usize) -> (Vec<SearchDocument>, CorpusStats) {
        let mut docs = Vec::with_capacity(n);
        let mut stats = CorpusStats::default();
        for i in 0..n {
            let doc = if i % 5 == 0 || self.orgs.is_empty() {
                stats.organizations += 1;
                self.organization()
            } else if self.rng.chance(0.5) {
                stats.offers += 1;
                self.offer()
            } else {
                stats.needs += 1;
                self.need()
            };
            stats.text_bytes += doc.title.len() + doc.body.len() + doc.context.len();
            stats.words += doc.body.split_whitespace().count();
            docs.push(doc);
        }
        stats.registry_names = self.next_registered;
        (docs, stats)
    }

    fn municipality(&mut self) -> usize {
        if !self.metro.is_empty() && self.rng.chance(0.5) {
            self.metro[self.metro_weights.sample(&mut self.rng)]
        } else {
            self.everywhere.sample(&mut self.rng)
        }
    }

    fn uuid(&mut self) -> Uuid {
        uuid::Builder::from_random_bytes(self.rng.bytes16()).into_uuid()
    }

    fn neighbourhood(&mut self, municipality: usize) -> Option<usize> {
        (Some(municipality) == self.milano).then(|| self.rng.below(self.data.neighbourhoods.len()))
    }

    fn place_name(&mut self, municipality: usize, neighbourhood: Option<usize>) -> String {
        match neighbourhood {
            Some(n) if self.rng.chance(0.7) => self.data.neighbourhoods[n].name.clone(),
            _ => self.data.municipalities[municipality].name.clone(),
        }
    }

    fn jitter(&mut self, point: GeoPoint, km: f64) -> GeoPoint {
        let dlat = (self.rng.unit() - 0.5) * 2.0 * km / 111.0;
        let dlon = (self.rng.unit() - 0.5) * 2.0 * km / (111.0 * point.lat.to_radians().cos());
        GeoPoint {
            lat: point.lat + dlat,
            lon: point.lon + dlon,
        }
    }

    fn location(&mut self, municipality: usize, neighbourhood: Option<usize>) -> Option<GeoPoint> {
        match neighbourhood {
            Some(n) => {
                let p = self.data.neighbourhoods[n].point;
                Some(self.jitter(p, 0.5))
            }
            None => {
                let p = self.data.municipalities[municipality].point?;
                Some(self.jitter(p, 2.0))
            }
        }
    }

    fn sectors(&mut self) -> Vec<String> {
        let n = 1 + self.rng.below(3);
        let mut out: Vec<String> = (0..n)
            .map(|_| self.rng.pick_skewed(SECTORS).0.to_owned())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    fn created(&mut self) -> DateTime<Utc> {
        self.now - Duration::minutes(self.rng.range(0, 2 * 365 * 24 * 60))
    }

    /// A phrase of a list: mostly any of them, sometimes one of the first
    /// (the lists start with the commonest), so that no single activity or
    /// target fills a large share of the corpus but some are more usual.
    fn word(&mut self, list: &'static [&'static str]) -> &'static str {
        if self.rng.chance(0.25) {
            list[self.rng.skewed(list.len())]
        } else {
            list[self.rng.below(list.len())]
        }
    }

    /// Fills a template: {A} activity, {T} target, {S} space, {H} theme,
    /// {F} funder, {N} place, {M} municipality, {P} province, {O} another
    /// organisation, {Y} year, {K} a small number, {E} an amount in euro.
    fn fill(&mut self, template: &str, municipality: usize, hood: Option<usize>) -> String {
        let mut out = String::with_capacity(template.len() + 64);
        let mut chars = template.chars();
        while let Some(c) = chars.next() {
            if c != '{' {
                out.push(c);
                continue;
            }
            let key = chars.next().unwrap_or(' ');
            let _ = chars.next(); // '}'
            match key {
                'A' => out.push_str(self.word(ACTIVITIES)),
                'T' => out.push_str(self.word(TARGETS)),
                'S' => out.push_str(self.word(SPACES)),
                'H' => out.push_str(self.word(THEMES)),
                'F' => out.push_str(self.word(FUNDERS)),
                'N' => {
                    let place = self.place_name(municipality, hood);
                    out.push_str(&place);
                }
                'M' => out.push_str(&self.data.municipalities[municipality].name),
                'P' => out.push_str(&self.data.municipalities[municipality].province),
                'O' => {
                    let other = if self.orgs.is_empty() {
                        "la parrocchia".to_owned()
                    } else {
                        let i = self.rng.below(self.orgs.len());
                        self.orgs[i].name.clone()
                    };
                    out.push_str(&other);
                }
                'Y' => out.push_str(&self.rng.range(1978, 2026).to_string()),
                'K' => out.push_str(&self.rng.range(3, 120).to_string()),
                'E' => out.push_str(&format!("{}.000", self.rng.range(2, 400))),
                other => out.push(other),
            }
        }
        out
    }

    /// A description: sentences of `own` and of the common pool.
    fn body(
        &mut self,
        own: &[&str],
        count: std::ops::RangeInclusive<usize>,
        municipality: usize,
        hood: Option<usize>,
    ) -> String {
        let n = *count.start() + self.rng.below(count.end() - count.start() + 1);
        let mut sentences = Vec::with_capacity(n);
        for i in 0..n {
            let template = if i == 0 || self.rng.chance(0.55) {
                *self.rng.pick(own)
            } else {
                *self.rng.pick(COMMON)
            };
            sentences.push(self.fill(template, municipality, hood));
        }
        sentences.join(" ")
    }

    fn org_name(&mut self, kind: OrganizationKind, municipality: usize) -> String {
        let m = &self.data.municipalities[municipality];
        let (city, province) = (m.name.clone(), m.province.clone());
        let core = if !self.name_words.is_empty() && self.rng.chance(0.3) {
            let word = self.rng.pick(&self.name_words).clone();
            let prefix = *self
                .rng
                .pick(&["Centro", "Casa", "Progetto", "Amici di", "Insieme per"]);
            format!("{prefix} {word}")
        } else {
            (*self.rng.pick_skewed(NAME_CORES)).to_owned()
        };
        match kind {
            OrganizationKind::HousingCooperative => {
                let p = *self.rng.pick(&[
                    "Cooperativa edilizia",
                    "Cooperativa di abitanti",
                    "Cooperativa di abitazione",
                ]);
                format!("{p} {core}")
            }
            OrganizationKind::SocialCooperativeA | OrganizationKind::SocialCooperativeB => {
                format!("Cooperativa sociale {core}")
            }
            OrganizationKind::CommunityCooperative => format!("Cooperativa di comunità {city}"),
            OrganizationKind::Odv => {
                let p = *self
                    .rng
                    .pick(&["ODV", "Associazione di volontariato", "Volontari"]);
                format!("{p} {core}")
            }
            OrganizationKind::Aps => {
                let p = *self
                    .rng
                    .pick(&["APS", "Associazione di promozione sociale", "Circolo"]);
                format!("{p} {core}")
            }
            OrganizationKind::Onlus => format!("{core} Onlus"),
            OrganizationKind::SocialEnterprise => format!("Impresa sociale {core}"),
            OrganizationKind::Association => format!("Associazione {core}"),
            OrganizationKind::Foundation => format!("Fondazione {core}"),
            OrganizationKind::BankingFoundation => {
                format!("Fondazione Cassa di Risparmio di {city}")
            }
            OrganizationKind::Bank => format!("Banca di Credito Cooperativo di {city}"),
            OrganizationKind::Municipality => format!("Comune di {city}"),
            OrganizationKind::MetropolitanCity => format!("Città metropolitana di {province}"),
            OrganizationKind::Region => format!("Regione {province}"),
            OrganizationKind::PublicHousingAgency => {
                let p = *self.rng.pick(&["ALER", "ACER", "ATER"]);
                format!("{p} {province}")
            }
            OrganizationKind::Asp => format!("ASP {city}"),
            OrganizationKind::PublicHealthBody => {
                let p = *self.rng.pick(&["ATS", "ASST", "ASL"]);
                format!("{p} {province}")
            }
            OrganizationKind::InformalGroup => {
                let p = *self.rng.pick(&[
                    "Comitato di quartiere",
                    "Gruppo di cittadini",
                    "Social street",
                ]);
                let place = match self.neighbourhood(municipality) {
                    Some(n) => self.data.neighbourhoods[n].name.clone(),
                    None => city,
                };
                format!("{p} {place}")
            }
        }
    }

    fn context(
        &self,
        words: &mut Vec<String>,
        sectors: &[String],
        municipality: usize,
        hoods: &[usize],
    ) {
        for code in sectors {
            if let Some((_, it, en)) = SECTORS.iter().find(|(c, _, _)| c == code) {
                words.push((*it).to_owned());
                words.push((*en).to_owned());
            }
        }
        let m = &self.data.municipalities[municipality];
        words.push(m.name.clone());
        if m.province != m.name {
            words.push(m.province.clone());
        }
        for &n in hoods {
            words.push(self.data.neighbourhoods[n].name.clone());
        }
    }

    fn organization(&mut self) -> SearchDocument {
        let registered =
            self.next_registered < self.data.associations.len() && self.rng.chance(0.1);
        let (name, kind, municipality) = if registered {
            let r = &self.data.associations[self.next_registered];
            self.next_registered += 1;
            let municipality = match r.municipality {
                Some(m) => m,
                None => self.municipality(),
            };
            (r.name.clone(), OrganizationKind::Association, municipality)
        } else {
            let kind = KIND_WEIGHTS[self.kinds.sample(&mut self.rng)].0;
            let municipality = self.municipality();
            (self.org_name(kind, municipality), kind, municipality)
        };
        let mut sectors = self.sectors();
        if registered {
            sectors.push("sport".to_owned());
            sectors.sort();
            sectors.dedup();
        }
        let hoods: Vec<usize> = match self.neighbourhood(municipality) {
            Some(first) => {
                let mut hoods = vec![first];
                if self.rng.chance(0.4) {
                    hoods.push(self.rng.below(self.data.neighbourhoods.len()));
                }
                hoods.sort_unstable();
                hoods.dedup();
                hoods
            }
            None => Vec::new(),
        };
        let hood = hoods.first().copied();
        let own: &[&str] = if registered { SPORT } else { ORGANIZATION };
        let body = self.body(own, 4..=8, municipality, hood);
        let id = self.uuid();
        let verified = self.rng.chance(0.3);
        let mut words = vec![kind.label(Lang::It).to_owned()];
        self.context(&mut words, &sectors, municipality, &hoods);
        let location = self.location(municipality, hood);
        let created_at = self.created();
        self.orgs.push(Org {
            id,
            name: name.clone(),
            kind,
            municipality,
            verified,
        });
        SearchDocument {
            doc_type: DocType::Organization,
            id,
            title: name,
            body,
            context: words.join(" · "),
            organization_id: id,
            organization_kind: kind.as_str().to_owned(),
            kind: None,
            sectors,
            municipality_codes: vec![self.data.municipalities[municipality].code.clone()],
            neighbourhood_ids: hoods
                .iter()
                .map(|&n| self.data.neighbourhoods[n].id)
                .collect(),
            status: "open".to_owned(),
            verified,
            registered_third_sector: false,
            created_at,
            deadline_at: None,
            amount_min_cents: None,
            amount_max_cents: None,
            location,
        }
    }

    fn owner(&mut self) -> Org {
        // Recent organisations post more (and every one may post).
        let n = self.orgs.len();
        let back = self.rng.skewed(n);
        self.orgs[n - 1 - back].clone()
    }

    /// Where a posting is: mostly its owner's municipality.
    fn posting_place(&mut self, owner: &Org) -> (usize, Option<usize>) {
        let municipality = if self.rng.chance(0.8) {
            owner.municipality
        } else {
            self.municipality()
        };
        (municipality, self.neighbourhood(municipality))
    }

    fn offer(&mut self) -> SearchDocument {
        let owner = self.owner();
        let kind = *self.rng.pick(OfferKind::ALL);
        let (municipality, hood) = self.posting_place(&owner);
        let (titles, own): (&[&str], &[&str]) = match kind {
            OfferKind::Funding => (FUNDING_TITLES, FUNDING),
            OfferKind::Loan => (LOAN_TITLES, FUNDING),
            OfferKind::Space => (SPACE_TITLES, SPACE),
            OfferKind::Competence => (COMPETENCE_TITLES, OFFER),
            OfferKind::Volunteers => (VOLUNTEER_TITLES, OFFER),
            OfferKind::Materials | OfferKind::Equipment => (MATERIAL_TITLES, OFFER),
        };
        let template = *self.rng.pick(titles);
        let title = capitalise(&self.fill(template, municipality, hood));
        let body = self.body(own, 3..=7, municipality, hood);
        let sectors = self.sectors();
        let mut words = vec![kind.label(Lang::It).to_owned(), owner.name.clone()];
        words.push(owner.kind.label(Lang::It).to_owned());
        let hoods: Vec<usize> = hood.into_iter().collect();
        self.context(&mut words, &sectors, municipality, &hoods);
        let (amount_min_cents, amount_max_cents) = match kind {
            OfferKind::Funding | OfferKind::Loan => {
                let min = self.rng.range(1, 50) * THOUSAND_EURO;
                (
                    Some(min),
                    Some(min + self.rng.range(0, 450) * THOUSAND_EURO),
                )
            }
            _ => (None, None),
        };
        let location = self.location(municipality, hood);
        SearchDocument {
            doc_type: DocType::Offer,
            id: self.uuid(),
            title,
            body,
            context: words.join(" · "),
            organization_id: owner.id,
            organization_kind: owner.kind.as_str().to_owned(),
            kind: Some(kind.as_str().to_owned()),
            sectors,
            municipality_codes: vec![self.data.municipalities[municipality].code.clone()],
            neighbourhood_ids: hoods
                .iter()
                .map(|&n| self.data.neighbourhoods[n].id)
                .collect(),
            status: "open".to_owned(),
            verified: owner.verified,
            registered_third_sector: false,
            created_at: self.created(),
            deadline_at: None,
            amount_min_cents,
            amount_max_cents,
            location,
        }
    }

    fn need(&mut self) -> SearchDocument {
        let owner = self.owner();
        let kind = *self.rng.pick(NeedKind::ALL);
        let (municipality, hood) = self.posting_place(&owner);
        let titles: &[&str] = match kind {
            NeedKind::CollaborativeHousing => &[
                "Cerchiamo partner per un progetto di abitare collaborativo a {N}",
                "Cohousing intergenerazionale a {N}",
                "Abitare condiviso per {T} a {N}",
            ],
            NeedKind::CommunityService => &[
                "Servizio di {A} a {N}",
                "Cerchiamo chi gestisca {A} per {T}",
            ],
            NeedKind::SocialConcierge => &[
                "Portierato sociale nelle case ERP di {N}",
                "Custodia sociale per {T} a {N}",
                "Portineria di quartiere a {N}",
            ],
            NeedKind::SocialMediation => &[
                "Mediazione dei conflitti condominiali a {N}",
                "Mediazione sociale nei caseggiati di {N}",
            ],
            NeedKind::SpaceRegeneration => &[
                "Spazi da rigenerare: {S} a {N}",
                "Cerchiamo idee per {S} a {M}",
            ],
            NeedKind::TrainingJobPlacement => &[
                "Inserimento lavorativo di {T}",
                "Tirocini e formazione per {T} a {M}",
            ],
            NeedKind::HousingNeedsAnalysis => &[
                "Analisi dei bisogni abitativi di {T} a {M}",
                "Mappatura del disagio abitativo a {N}",
            ],
            NeedKind::CallForProposals => &[
                "Bando per {H}: cerchiamo partner",
                "Avviso pubblico per la coprogettazione di {A} a {M}",
            ],
            _ => &["{A} a {N}", "Cerchiamo aiuto per {A}"],
        };
        let template = *self.rng.pick(titles);
        let title = capitalise(&self.fill(template, municipality, hood));
        let body = self.body(NEED, 3..=7, municipality, hood);
        let sectors = self.sectors();
        let mut words = vec![kind.label(Lang::It).to_owned()];
        let contributions = 1 + self.rng.below(2);
        for _ in 0..contributions {
            words.push(self.rng.pick(OfferKind::ALL).label(Lang::It).to_owned());
        }
        words.push(owner.name.clone());
        words.push(owner.kind.label(Lang::It).to_owned());
        let hoods: Vec<usize> = hood.into_iter().collect();
        self.context(&mut words, &sectors, municipality, &hoods);
        let budget = self
            .rng
            .chance(0.6)
            .then(|| self.rng.range(1, 300) * THOUSAND_EURO);
        let created_at = self.created();
        let deadline_at = self
            .rng
            .chance(0.5)
            .then(|| created_at + Duration::days(self.rng.range(15, 240)));
        let location = self.location(municipality, hood);
        SearchDocument {
            doc_type: DocType::Need,
            id: self.uuid(),
            title,
            body,
            context: words.join(" · "),
            organization_id: owner.id,
            organization_kind: owner.kind.as_str().to_owned(),
            kind: Some(kind.as_str().to_owned()),
            sectors,
            municipality_codes: vec![self.data.municipalities[municipality].code.clone()],
            neighbourhood_ids: hoods
                .iter()
                .map(|&n| self.data.neighbourhoods[n].id)
                .collect(),
            status: "open".to_owned(),
            verified: owner.verified,
            registered_third_sector: false,
            created_at,
            deadline_at,
            amount_min_cents: budget,
            amount_max_cents: budget,
            location,
        }
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------
// Sentences

const ORGANIZATION: &[&str] = &[
    "Dal {Y} ci occupiamo di {A} e di {A} a {N}.",
    "Siamo una realtà del terzo settore iscritta al RUNTS che lavora con {T}.",
    "Gestiamo {S} dove organizziamo {A} per {T}.",
    "La cooperativa conta {K} soci lavoratori e promuove {A} nella provincia di {P}.",
    "Collaboriamo con {O} e con il Comune di {M} su progetti di {H}.",
    "Ogni settimana {K} volontari animano {A} nel quartiere {N}.",
    "Il nostro obiettivo è favorire {H} e dare risposte concrete a {T}.",
    "Siamo un ente del terzo settore (ETS) attivo nel welfare di comunità a {M}.",
    "Con gli inquilini delle case ERP gestiamo {A} e uno sportello di ascolto.",
    "Nel quartiere {N} abbiamo avviato un progetto di {A} insieme a {O}.",
    "Offriamo {A} a {T} e sosteniamo le famiglie nella ricerca della casa.",
    "Siamo nati come gruppo di cittadini e oggi gestiamo {S} in convenzione con il Comune.",
    "La nostra città ha bisogno di luoghi aperti: per questo curiamo {S} a {N}.",
    "Siamo soci di {O} e aderiamo al Centro di servizio per il volontariato di {P}.",
    "Promuoviamo l'abitare collaborativo e la cooperazione tra vicini di casa.",
    "Lavoriamo per l'inclusione lavorativa di {T} attraverso {A}.",
];

const SPORT: &[&str] = &[
    "Associazione sportiva dilettantistica (ASD) attiva a {M} dal {Y}.",
    "Organizziamo corsi di {A} e attività motoria per {T}.",
    "Il nostro settore giovanile conta {K} atleti tra bambini e ragazzi.",
    "Gestiamo {S} e promuoviamo lo sport sociale nel quartiere {N}.",
    "Siamo affiliati a un ente di promozione sportiva e iscritti al registro delle ASD.",
    "Con {O} portiamo lo sport nelle scuole del territorio di {P}.",
    "Offriamo quote agevolate alle famiglie fragili e corsi gratuiti per {T}.",
];

const FUNDING: &[&str] = &[
    "Il bando sostiene progetti di {H} promossi da enti del terzo settore.",
    "Il contributo a fondo perduto copre fino all'80% dei costi, per un massimo di {E} euro.",
    "Possono partecipare cooperative sociali, APS e ODV iscritte al RUNTS con sede a {M}.",
    "Le risorse provengono da {F} e saranno assegnate entro {K} giorni.",
    "Il finanziamento è destinato a interventi di {A} per {T}.",
    "La domanda si presenta online entro la scadenza indicata nell'avviso pubblico.",
    "Sono ammesse le spese per personale, attrezzature e ristrutturazione di spazi.",
    "Il prestito a tasso agevolato ha una durata massima di {K} mesi.",
    "Il microcredito è rivolto a {T} che vogliono avviare un'attività.",
    "Valutiamo con priorità i progetti in coprogettazione con il Comune di {M}.",
];

const SPACE: &[&str] = &[
    "Mettiamo a disposizione {S} a {N}, in comodato d'uso gratuito.",
    "Lo spazio misura circa {K}0 metri quadri ed è accessibile alle persone con disabilità.",
    "Cerchiamo un ente che lo usi per {A} e lo apra al quartiere.",
    "L'immobile va ristrutturato: le spese possono essere scalate dal canone.",
    "Lo spazio è stato confiscato alla criminalità organizzata e assegnato al Comune di {M}.",
    "La sala è disponibile la sera e nel fine settimana per riunioni e laboratori.",
    "Il cortile e il giardino si prestano a orti condivisi e feste di via.",
];

const OFFER: &[&str] = &[
    "Mettiamo a disposizione le nostre competenze in {A} per {T}.",
    "Un gruppo di {K} volontari è disponibile per {A} a {N}.",
    "Offriamo consulenza gratuita sulla rendicontazione dei bandi e sulla riforma del terzo settore.",
    "Possiamo donare attrezzature e materiali per {A}.",
    "Abbiamo esperienza di progettazione partecipata e di coprogettazione con la pubblica amministrazione.",
    "Doniamo computer ricondizionati per l'alfabetizzazione digitale di {T}.",
    "Disponiamo di un furgone attrezzato per il trasporto sociale e la consegna della spesa.",
    "Offriamo formazione ai volontari su {A} e primo soccorso.",
    "Il servizio è gratuito per gli enti del terzo settore di {P}.",
];

const NEED: &[&str] = &[
    "Cerchiamo partner per avviare {A} a {N}.",
    "Il progetto si rivolge a {T} e coinvolgerà circa {K} famiglie.",
    "Servono volontari per {A} il sabato mattina.",
    "Nei caseggiati di edilizia residenziale pubblica di {N} mancano servizi di prossimità.",
    "Vorremmo rigenerare {S} e trasformarlo in un luogo per {A}.",
    "Cerchiamo un finanziamento per {H} di almeno {E} euro.",
    "Il Comune di {M} intende avviare una coprogettazione con enti del terzo settore.",
    "Abbiamo bisogno di competenze in {A} e di spazi per {T}.",
    "Cerchiamo una cooperativa che gestisca il portierato sociale e la custodia degli spazi comuni.",
    "Le famiglie segnalano solitudine, morosità incolpevole e conflitti di vicinato.",
    "L'ALER e il Comune mettono a disposizione alcuni alloggi sfitti da ristrutturare.",
];

const COMMON: &[&str] = &[
    "Le attività si svolgono a {N}, vicino ai mezzi pubblici.",
    "Il progetto è sostenuto da {F}.",
    "Lavoriamo in rete con {O}.",
    "Per informazioni scrivete alla segreteria o passate nei giorni di apertura.",
    "È richiesta una disponibilità di almeno {K} ore al mese.",
    "Tra i destinatari ci sono anche {T}.",
    "L'iniziativa rientra nel programma di {H} della provincia di {P}.",
    "Negli anni scorsi abbiamo realizzato {A} con buoni risultati.",
    "La scadenza per le candidature è fissata a fine mese.",
    "L'obiettivo è costruire una comunità più solidale e coesa.",
    "I volontari ricevono una formazione iniziale e un'assicurazione.",
    "Il quartiere {N} ha molti alloggi sfitti e pochi servizi per {T}.",
    "Collaboriamo con i servizi sociali del Comune di {M}.",
    "Crediamo che la cura dei beni comuni sia responsabilità di tutti.",
    "Cerchiamo anche persone che ci aiutino con la comunicazione e i social.",
];

const FUNDING_TITLES: &[&str] = &[
    "Bando {H} {Y}",
    "Contributi a fondo perduto per {H}",
    "Finanziamento per progetti di {A}",
    "Avviso pubblico: {H} a {M}",
    "Fondo per {A} nella provincia di {P}",
];

const LOAN_TITLES: &[&str] = &[
    "Microcredito per {T}",
    "Prestiti agevolati per cooperative sociali",
    "Mutuo a tasso agevolato per {S}",
    "Anticipo dei contributi pubblici per enti del terzo settore",
];

const SPACE_TITLES: &[&str] = &[
    "Locale in comodato d'uso a {N}",
    "Spazio al piano terra per {A}",
    "Spazi da rigenerare: {S} a {M}",
    "Sala per riunioni e laboratori a {N}",
    "Orto e giardino per {A} a {N}",
];

const COMPETENCE_TITLES: &[&str] = &[
    "Consulenza per enti del terzo settore: {H}",
    "Progettazione partecipata e coprogettazione",
    "Supporto alla rendicontazione di bandi",
    "Formazione su {A}",
    "Competenze legali per l'iscrizione al RUNTS",
];

const VOLUNTEER_TITLES: &[&str] = &[
    "Volontari per {A}",
    "Gruppo di volontari disponibile a {N}",
    "Volontari del servizio civile per {T}",
];

const MATERIAL_TITLES: &[&str] = &[
    "Attrezzature per {A}",
    "Arredi usati per {S}",
    "Computer ricondizionati per l'alfabetizzazione digitale",
    "Libri e materiale didattico per il doposcuola",
    "Furgone attrezzato per {A}",
];
