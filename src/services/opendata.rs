//! Open data: the public needs, offers and signed pacts as CSV or JSON, for
//! `trama export` and for the download URLs `GET /opendata/{dataset}.{csv,json}`.
//! Both go through [`Exporter`], which reads the table in pages of
//! [`PAGE`] rows (keyset on the id) and hands out the file in chunks, so
//! neither holds a whole table in memory. The columns, their meaning and
//! format are documented in `docs/opendata.md`; change both together.
//!
//! What is public: needs and offers that are open or closed (an expired or
//! closed item is part of the record of what was asked and offered; the
//! `status`, `deadline` and `available_until` columns let a reader filter),
//! never drafts, deleted or moderator-hidden ones, nor those of a deleted or
//! hidden organisation (the visibility policy's rules, see
//! [`crate::policy::visibility`]); pacts (projects) that are signed and
//! marked public.
//! No contact, no user, no personal tax code (an informal group registered
//! with a person's codice fiscale shows none), no coordinates unless a need
//! published its exact place.

use std::collections::HashMap;
use std::io::Write;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::domain::{ClosedList, Invalid, Lang, StoredPlace, TaxCode};
use crate::error::AppError;
use crate::policy::visibility;
use crate::services::by_id;
use crate::services::surroundings::{Surroundings, of_postings};
use crate::store::entities::{
    needs, offers, organizations, project_contributions, project_partners, projects,
};
use crate::store::{self, listing};

/// Rows read from the database at a time.
pub const PAGE: u64 = 500;

/// What is exported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dataset {
    Needs,
    Offers,
    Pacts,
}

impl Dataset {
    pub const ALL: [Self; 3] = [Self::Needs, Self::Offers, Self::Pacts];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Needs => "needs",
            Self::Offers => "offers",
            Self::Pacts => "pacts",
        }
    }

    /// Parses `needs`, `offers` or `pacts`. Fails with BAD_USER_INPUT on
    /// `field` for anything else.
    pub fn parse(raw: &str, field: &str) -> Result<Self, AppError> {
        Self::ALL
            .into_iter()
            .find(|d| d.as_str().eq_ignore_ascii_case(raw.trim()))
            .ok_or_else(|| {
                AppError::invalid(
                    field,
                    Invalid::UnknownValue {
                        allowed: Self::ALL.iter().map(|d| d.as_str()).collect(),
                    },
                )
            })
    }

    /// The column names, in order (the CSV header and the JSON keys).
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Self::Needs => NEED_COLUMNS,
            Self::Offers => OFFER_COLUMNS,
            Self::Pacts => PACT_COLUMNS,
        }
    }
}

/// The file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
}

impl ExportFormat {
    pub const ALL: [Self; 2] = [Self::Csv, Self::Json];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Json => "json",
        }
    }

    /// Parses `csv` or `json`. Fails with BAD_USER_INPUT on `field`.
    pub fn parse(raw: &str, field: &str) -> Result<Self, AppError> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(raw.trim()))
            .ok_or_else(|| {
                AppError::invalid(
                    field,
                    Invalid::UnknownValue {
                        allowed: Self::ALL.iter().map(|f| f.as_str()).collect(),
                    },
                )
            })
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }
}

const NEED_COLUMNS: &[&str] = &[
    "id",
    "title",
    "description",
    "kind",
    "kind_label",
    "status",
    "organization_id",
    "organization_name",
    "organization_kind",
    "organization_tax_code",
    "municipality_istat_code",
    "municipality_name",
    "nil_code",
    "nil_name",
    "lat",
    "lon",
    "budget_eur",
    "deadline",
    "required_contributions",
    "eligible_organization_kinds",
    "requires_third_sector_registration",
    "sectors",
    "created_at",
    "updated_at",
    "closed_at",
    "territory_scope",
    "other_places",
    "other_places_names",
];

const OFFER_COLUMNS: &[&str] = &[
    "id",
    "title",
    "description",
    "kind",
    "kind_label",
    "status",
    "organization_id",
    "organization_name",
    "organization_kind",
    "organization_tax_code",
    "territory_scope",
    "municipality_istat_code",
    "municipality_name",
    "nil_code",
    "nil_name",
    "amount_min_eur",
    "amount_max_eur",
    "available_from",
    "available_until",
    "eligible_organization_kinds",
    "sectors",
    "created_at",
    "updated_at",
    "closed_at",
    "other_places",
    "other_places_names",
];

const PACT_COLUMNS: &[&str] = &[
    "id",
    "title",
    "description",
    "procedure",
    "procedure_label",
    "stage",
    "stage_label",
    "signed_at",
    "need_id",
    "lead_organization_id",
    "lead_organization_name",
    "lead_organization_tax_code",
    "partners",
    "partner_tax_codes",
    "contributions",
    "contributions_total_eur",
    "municipality_istat_code",
    "municipality_name",
    "nil_code",
    "nil_name",
    "updated_at",
    "reported_people_reached",
    "reported_volunteer_hours",
    "reported_spent_eur",
];

/// One value of a row.
#[derive(Clone, Debug, PartialEq)]
enum Cell {
    Text(String),
    /// A number already formatted (dot decimal), written bare in JSON.
    Number(String),
    Bool(bool),
    /// Written as an array in JSON and joined with `;` in CSV.
    List(Vec<String>),
    Null,
}

impl Cell {
    fn text(value: impl Into<String>) -> Self {
        Self::Text(value.into())
    }

    fn opt_text(value: Option<impl Into<String>>) -> Self {
        value.map_or(Self::Null, |v| Self::Text(v.into()))
    }

    fn euro(cents: Option<i64>) -> Self {
        cents.map_or(Self::Null, |c| Self::Number(euro(c)))
    }

    fn time(at: Option<DateTime<Utc>>) -> Self {
        at.map_or(Self::Null, |at| {
            Self::Text(at.to_rfc3339_opts(SecondsFormat::Secs, true))
        })
    }

    fn date(date: Option<NaiveDate>) -> Self {
        date.map_or(Self::Null, |d| Self::Text(d.format("%Y-%m-%d").to_string()))
    }

    fn coordinate(value: Option<f64>) -> Self {
        value.map_or(Self::Null, |v| Self::Number(format!("{v:.6}")))
    }

    fn csv(&self) -> String {
        match self {
            Self::Text(s) | Self::Number(s) => s.clone(),
            Self::Bool(b) => b.to_string(),
            Self::List(items) => items.join(";"),
            Self::Null => String::new(),
        }
    }

    fn json(&self) -> String {
        match self {
            Self::Text(s) => serde_json::Value::from(s.as_str()).to_string(),
            Self::Number(s) => s.clone(),
            Self::Bool(b) => b.to_string(),
            Self::List(items) => serde_json::Value::from(items.clone()).to_string(),
            Self::Null => "null".to_owned(),
        }
    }
}

/// Euro with a dot and two decimals: 4500000 cents is `45000.00`.
fn euro(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}{}.{:02}", cents / 100, cents % 100)
}

fn label<T: ClosedList>(value: T) -> Cell {
    Cell::text(value.label(Lang::It))
}

fn strings(json: &serde_json::Value) -> Vec<String> {
    json.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// An organisation's tax code when it is an organisation's (11 digits), not
/// a person's.
pub(crate) fn public_tax_code(tax_code: Option<&str>) -> Option<String> {
    let code = TaxCode::parse(tax_code?).ok()?;
    (!code.is_personal()).then(|| code.as_str().to_owned())
}

// Open data's view of the surroundings: cells.
impl Surroundings {
    fn organization_cells(&self, id: Uuid) -> [Cell; 4] {
        match self.organizations.get(&id) {
            Some(org) => [
                Cell::text(org.id.to_string()),
                Cell::text(org.name.clone()),
                Cell::text(org.kind.as_str()),
                Cell::opt_text(public_tax_code(org.tax_code.as_deref())),
            ],
            None => [
                Cell::text(id.to_string()),
                Cell::Null,
                Cell::Null,
                Cell::Null,
            ],
        }
    }

    fn place_cells(&self, municipality: Option<&str>, neighbourhood: Option<Uuid>) -> [Cell; 4] {
        let town = municipality.and_then(|code| self.municipalities.get(code));
        let nil = neighbourhood.and_then(|id| self.neighbourhoods.get(&id));
        [
            Cell::opt_text(municipality.map(str::to_owned)),
            Cell::opt_text(town.map(|m| m.name.clone())),
            Cell::opt_text(nil.map(|n| n.code.clone())),
            Cell::opt_text(nil.map(|n| n.name.clone())),
        ]
    }

    /// A posting's other places: their codes (`istat_code`, or
    /// `istat_code/nil_code` for a neighbourhood) and their names
    /// (`Milano – Barona`), in the same order; without `neighbourhoods`,
    /// each municipality once (and not `skip`, the first place's) and no
    /// neighbourhood.
    fn other_place_cells(
        &self,
        column: &serde_json::Value,
        neighbourhoods: bool,
        skip: Option<&str>,
    ) -> [Cell; 2] {
        let (mut codes, mut names) = (Vec::new(), Vec::new());
        for place in StoredPlace::read_all(column) {
            let code = place.municipality_code.as_str();
            if !neighbourhoods && (codes.iter().any(|c| c == code) || skip == Some(code)) {
                continue;
            }
            let town = self.municipalities.get(&place.municipality_code);
            let nil = place
                .neighbourhood_id
                .filter(|_| neighbourhoods)
                .and_then(|id| self.neighbourhoods.get(&id));
            let town_name = town.map_or(place.municipality_code.clone(), |m| m.name.clone());
            match nil {
                Some(nil) => {
                    codes.push(format!("{}/{}", place.municipality_code, nil.code));
                    names.push(format!("{town_name} – {}", nil.name));
                }
                None => {
                    codes.push(place.municipality_code.clone());
                    names.push(town_name);
                }
            }
        }
        [Cell::List(codes), Cell::List(names)]
    }
}

fn sector_codes(
    sectors: &HashMap<Uuid, Vec<crate::store::entities::sectors::Model>>,
    id: Uuid,
) -> Cell {
    Cell::List(
        sectors
            .get(&id)
            .map(|list| list.iter().map(|s| s.code.clone()).collect())
            .unwrap_or_default(),
    )
}

/// Where the next page starts: after the last row of a full page; `None`
/// when the page was the last. (Rows a page leaves out as not public do
/// not end the export early.)
fn next_after<T>(page: &[T], limit: u64, id: impl Fn(&T) -> Uuid) -> Option<Uuid> {
    if page.len() as u64 == limit {
        page.last().map(id)
    } else {
        None
    }
}

/// The first cells of a need's or an offer's row, the same in both datasets.
macro_rules! posting_head {
    ($posting:expr) => {
        vec![
            Cell::text($posting.id.to_string()),
            Cell::text($posting.title),
            Cell::text($posting.description),
            Cell::text($posting.kind.as_str()),
            label($posting.kind),
            Cell::text($posting.status.as_str()),
        ]
    };
}

/// A page of the needs dataset: the store's page of published needs of
/// public organisations, each shown as the visibility policy says
/// ([`visibility::public_among`], [`visibility::shown_need_point`]).
async fn need_rows(
    db: &DatabaseConnection,
    after: Option<Uuid>,
    limit: u64,
) -> Result<(Vec<Vec<Cell>>, Option<Uuid>), AppError> {
    let page = store::opendata::page::<needs::Entity>(db, after, limit).await?;
    let next = next_after(&page, limit, |n| n.id);
    let (lookups, sectors) = of_postings!(db, page, listing::sectors_of_needs);
    let rows = page
        .into_iter()
        .filter(|need| visibility::public_among(&lookups.organizations, need))
        .map(|need| {
            let shown = visibility::shown_need_point(&need);
            let neighbourhoods = visibility::need_neighbourhoods_shown(need.location_precision);
            let mut row = posting_head!(need);
            row.extend(lookups.organization_cells(need.organization_id));
            row.extend(lookups.place_cells(
                need.municipality_code.as_deref(),
                need.neighbourhood_id.filter(|_| neighbourhoods),
            ));
            row.extend([
                Cell::coordinate(shown.map(|(lat, _)| lat)),
                Cell::coordinate(shown.map(|(_, lon)| lon)),
                Cell::euro(need.budget_cents),
                Cell::time(need.deadline_at),
                Cell::List(strings(&need.required_contributions)),
                Cell::List(strings(&need.eligible_organization_kinds)),
                Cell::Bool(need.requires_third_sector_registration),
                sector_codes(&sectors, need.id),
                Cell::time(Some(need.created_at)),
                Cell::time(Some(need.updated_at)),
                Cell::time(need.closed_at),
                Cell::opt_text(need.territory_scope.map(|s| s.as_str().to_owned())),
            ]);
            // Known by its municipalities only: those beyond the first.
            let first = need
                .municipality_code
                .as_deref()
                .filter(|_| !neighbourhoods);
            row.extend(lookups.other_place_cells(&need.other_places, neighbourhoods, first));
            row
        })
        .collect();
    Ok((rows, next))
}

async fn offer_rows(
    db: &DatabaseConnection,
    after: Option<Uuid>,
    limit: u64,
) -> Result<(Vec<Vec<Cell>>, Option<Uuid>), AppError> {
    let page = store::opendata::page::<offers::Entity>(db, after, limit).await?;
    let next = next_after(&page, limit, |o| o.id);
    let (lookups, sectors) = of_postings!(db, page, listing::sectors_of_offers);
    let rows = page
        .into_iter()
        .filter(|offer| visibility::public_among(&lookups.organizations, offer))
        .map(|offer| {
            let mut row = posting_head!(offer);
            row.extend(lookups.organization_cells(offer.organization_id));
            row.push(Cell::text(offer.territory_scope.as_str()));
            row.extend(
                lookups.place_cells(offer.municipality_code.as_deref(), offer.neighbourhood_id),
            );
            row.extend([
                Cell::euro(offer.amount_min_cents),
                Cell::euro(offer.amount_max_cents),
                Cell::date(offer.available_from),
                Cell::date(offer.available_until),
                Cell::List(strings(&offer.eligible_organization_kinds)),
                sector_codes(&sectors, offer.id),
                Cell::time(Some(offer.created_at)),
                Cell::time(Some(offer.updated_at)),
                Cell::time(offer.closed_at),
            ]);
            row.extend(lookups.other_place_cells(&offer.other_places, true, None));
            row
        })
        .collect();
    Ok((rows, next))
}

async fn pact_rows(
    db: &DatabaseConnection,
    after: Option<Uuid>,
    limit: u64,
) -> Result<(Vec<Vec<Cell>>, Option<Uuid>), AppError> {
    let page = store::opendata::page::<projects::Entity>(db, after, limit).await?;
    let next = next_after(&page, limit, |p| p.id);
    let ids: Vec<Uuid> = page.iter().map(|p| p.id).collect();
    let partners = store::opendata::of_pacts::<project_partners::Entity>(db, &ids).await?;
    let contributions =
        store::opendata::of_pacts::<project_contributions::Entity>(db, &ids).await?;
    let reports = store::projects::reports_of(db, &ids).await?;
    // The place is the need's, when the need is itself public.
    let need_ids: Vec<Uuid> = page.iter().filter_map(|p| p.need_id).collect();
    let public_needs: HashMap<Uuid, needs::Model> =
        by_id(visibility::public_needs(db, &need_ids).await?, |n| n.id);
    let organization_ids = page
        .iter()
        .map(|p| p.lead_organization_id)
        .chain(partners.iter().map(|p| p.organization_id))
        .chain(contributions.iter().map(|c| c.organization_id));
    let lookups = Surroundings::load(
        db,
        organization_ids,
        public_needs.values().map(|n| n.municipality_code.clone()),
        public_needs.values().map(|n| n.neighbourhood_id),
    )
    .await?;
    let rows = page
        .into_iter()
        .map(|project| {
            // Partners hidden by a moderator are left out.
            let members: Vec<&organizations::Summary> = partners
                .iter()
                .filter(|p| p.project_id == project.id)
                .filter_map(|p| lookups.organizations.get(&p.organization_id))
                .collect();
            let mine: Vec<&project_contributions::Model> = contributions
                .iter()
                .filter(|c| c.project_id == project.id)
                .filter(|c| lookups.organizations.contains_key(&c.organization_id))
                .collect();
            let described: Vec<String> = mine
                .iter()
                .map(|c| {
                    let who = lookups
                        .organizations
                        .get(&c.organization_id)
                        .map_or("", |o| o.name.as_str());
                    let kind = c.kind.as_str();
                    match c.amount_cents {
                        Some(cents) => {
                            format!("{who}: {kind}: {} ({} EUR)", c.description, euro(cents))
                        }
                        None => format!("{who}: {kind}: {}", c.description),
                    }
                })
                .collect();
            let total: Option<i64> = mine
                .iter()
                .filter_map(|c| c.amount_cents)
                .reduce(|a, b| a.saturating_add(b));
            let need = project.need_id.and_then(|id| public_needs.get(&id));
            let mut row = vec![
                Cell::text(project.id.to_string()),
                Cell::text(project.title),
                Cell::text(project.description),
                Cell::text(project.procedure.as_str()),
                label(project.procedure),
                Cell::text(project.stage.as_str()),
                label(project.stage),
                Cell::time(project.signed_at),
                Cell::opt_text(need.map(|n| n.id.to_string())),
            ];
            let [id, name, _kind, tax_code] =
                lookups.organization_cells(project.lead_organization_id);
            row.extend([id, name, tax_code]);
            row.extend([
                Cell::List(members.iter().map(|o| o.name.clone()).collect()),
                // Aligned with `partners`: empty where there is none to show.
                Cell::List(
                    members
                        .iter()
                        .map(|o| public_tax_code(o.tax_code.as_deref()).unwrap_or_default())
                        .collect(),
                ),
                Cell::List(described),
                Cell::euro(total),
            ]);
            row.extend(lookups.place_cells(
                need.and_then(|n| n.municipality_code.as_deref()),
                need.and_then(|n| n.neighbourhood_id),
            ));
            row.push(Cell::time(Some(project.updated_at)));
            // What the partners reported, summed; empty before any report.
            let reported: Vec<_> = reports
                .iter()
                .filter(|r| r.project_id == project.id)
                .filter(|r| lookups.organizations.contains_key(&r.organization_id))
                .collect();
            if reported.is_empty() {
                row.extend([Cell::Null, Cell::Null, Cell::Null]);
            } else {
                let people: i64 = reported.iter().map(|r| r.people_reached).sum();
                let hours: f64 = reported.iter().map(|r| r.volunteer_hours).sum();
                let spent: i64 = reported.iter().map(|r| r.spent_cents).sum();
                row.extend([
                    Cell::Number(people.to_string()),
                    Cell::Number(format!("{hours}")),
                    Cell::euro(Some(spent)),
                ]);
            }
            row
        })
        .collect();
    Ok((rows, next))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Progress {
    Start,
    Rows { after: Option<Uuid>, first: bool },
    Done,
}

/// Produces an export chunk by chunk: the header (CSV) or the opening
/// bracket (JSON), then one chunk per page of rows, then the closing
/// bracket. The CLI writes the chunks to a file, the HTTP handler streams
/// them.
pub struct Exporter {
    db: DatabaseConnection,
    dataset: Dataset,
    format: ExportFormat,
    progress: Progress,
    rows: u64,
    page: u64,
}

impl Exporter {
    pub fn new(db: DatabaseConnection, dataset: Dataset, format: ExportFormat) -> Self {
        Self {
            db,
            dataset,
            format,
            progress: Progress::Start,
            rows: 0,
            page: PAGE,
        }
    }

    /// Reads `page` rows at a time instead of [`PAGE`] (at least one); the
    /// file is the same whatever the page size.
    pub fn with_page_size(mut self, page: u64) -> Self {
        self.page = page.max(1);
        self
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The next chunk of the file, or `None` at the end. Fails on database
    /// errors (the file is then incomplete: a CSV without its last rows, a
    /// JSON without its closing bracket, which a parser refuses).
    pub async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, AppError> {
        match self.progress {
            Progress::Start => {
                self.progress = Progress::Rows {
                    after: None,
                    first: true,
                };
                Ok(Some(match self.format {
                    ExportFormat::Csv => {
                        let header: Vec<Cell> = self
                            .dataset
                            .columns()
                            .iter()
                            .map(|c| Cell::text(*c))
                            .collect();
                        csv_lines(&[header])?
                    }
                    ExportFormat::Json => b"[".to_vec(),
                }))
            }
            Progress::Rows { after, first } => {
                let (rows, next) = match self.dataset {
                    Dataset::Needs => need_rows(&self.db, after, self.page).await?,
                    Dataset::Offers => offer_rows(&self.db, after, self.page).await?,
                    Dataset::Pacts => pact_rows(&self.db, after, self.page).await?,
                };
                self.rows += rows.len() as u64;
                let chunk = match self.format {
                    ExportFormat::Csv => csv_lines(&rows)?,
                    ExportFormat::Json => json_objects(self.dataset.columns(), &rows, first),
                };
                self.progress = match next {
                    Some(last) => Progress::Rows {
                        after: Some(last),
                        first: first && rows.is_empty(),
                    },
                    None => Progress::Done,
                };
                if self.progress == Progress::Done && self.format == ExportFormat::Json {
                    let mut chunk = chunk;
                    chunk.extend_from_slice(if self.rows == 0 { b"]\n" } else { b"\n]\n" });
                    return Ok(Some(chunk));
                }
                Ok(Some(chunk))
            }
            Progress::Done => Ok(None),
        }
    }

    /// Writes the whole export to `out` and returns the number of rows.
    /// Fails on database errors and on write errors.
    pub async fn write_all(mut self, out: &mut impl Write) -> anyhow::Result<u64> {
        while let Some(chunk) = self.next_chunk().await? {
            out.write_all(&chunk)?;
        }
        out.flush()?;
        Ok(self.rows)
    }
}

/// The whole export in memory (tests, small datasets). Fails like
/// [`Exporter::next_chunk`].
#[tracing::instrument(skip_all, fields(?dataset, ?format))]
pub async fn export_bytes(
    db: &DatabaseConnection,
    dataset: Dataset,
    format: ExportFormat,
) -> Result<Vec<u8>, AppError> {
    collect(Exporter::new(db.clone(), dataset, format)).await
}

/// Drives an exporter to the end, in memory. Fails like
/// [`Exporter::next_chunk`].
pub async fn collect(mut exporter: Exporter) -> Result<Vec<u8>, AppError> {
    let mut out = Vec::new();
    while let Some(chunk) = exporter.next_chunk().await? {
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

fn csv_lines(rows: &[Vec<Cell>]) -> Result<Vec<u8>, AppError> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for row in rows {
        writer
            .write_record(row.iter().map(Cell::csv))
            .map_err(|e| AppError::Internal(e.into()))?;
    }
    writer
        .into_inner()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("csv buffer: {e}")))
}

fn json_objects(columns: &[&str], rows: &[Vec<Cell>], first: bool) -> Vec<u8> {
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        debug_assert_eq!(row.len(), columns.len(), "a row and its columns");
        out.push_str(if first && i == 0 { "\n" } else { ",\n" });
        out.push('{');
        for (j, (column, cell)) in columns.iter().zip(row).enumerate() {
            if j > 0 {
                out.push(',');
            }
            out.push_str(&serde_json::Value::from(*column).to_string());
            out.push(':');
            out.push_str(&cell.json());
        }
        out.push('}');
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn euro_has_a_dot_and_two_decimals() {
        assert_eq!(euro(4_500_000), "45000.00");
        assert_eq!(euro(5), "0.05");
        assert_eq!(euro(-150), "-1.50");
    }

    #[test]
    fn csv_quotes_commas_quotes_and_newlines() {
        let bytes = csv_lines(&[vec![
            Cell::text("a, \"b\"\nc"),
            Cell::List(vec!["x".into(), "y".into()]),
            Cell::Null,
        ]])
        .expect("csv");
        assert_eq!(
            String::from_utf8(bytes).expect("utf-8"),
            "\"a, \"\"b\"\"\nc\",x;y,\r\n"
        );
    }

    #[test]
    fn json_rows_are_objects_in_column_order() {
        let out = json_objects(
            &["a", "b", "c"],
            &[vec![
                Cell::text("é\""),
                Cell::Number("1.50".into()),
                Cell::List(vec!["x".into()]),
            ]],
            true,
        );
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            "\n{\"a\":\"é\\\"\",\"b\":1.50,\"c\":[\"x\"]}"
        );
    }

    #[test]
    fn names_parse_in_any_case() {
        assert_eq!(Dataset::parse(" Needs ", "what").ok(), Some(Dataset::Needs));
        assert!(Dataset::parse("users", "what").is_err());
        assert_eq!(
            ExportFormat::parse("JSON", "format").ok(),
            Some(ExportFormat::Json)
        );
    }
}
