//! The first stage of matching: the open offers (or needs) that could match
//! a need (or offer), found in the index by the other side's text (its
//! distinctive words and their synonyms), sectors and territory, among the
//! kinds that can serve it, never the same organisation's. Recall matters
//! here, not order: the match engine scores every candidate itself.

use std::collections::BTreeMap;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};
use uuid::Uuid;

use super::schema::{DocType, parse_key};
use super::{SearchError, SearchIndex};

/// Largest number of candidates one request returns.
pub const MAX_CANDIDATES: usize = 1_000;
/// Distinctive words of the text kept in the query.
const MAX_TERMS: usize = 24;

/// What to look for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CandidateRequest {
    /// [`DocType::Offer`] for a need's candidates, [`DocType::Need`] for an
    /// offer's.
    pub target: Option<DocType>,
    /// The other side's title and description.
    pub title: String,
    pub description: String,
    /// Only these kinds (snake_case); empty = any.
    pub kinds: Vec<String>,
    /// Sectors, municipality and neighbourhood raise a candidate.
    pub sectors: Vec<String>,
    pub municipality: Option<String>,
    pub neighbourhood: Option<Uuid>,
    /// The other side's organisation, never a candidate.
    pub exclude_organization: Option<Uuid>,
    pub limit: usize,
}

fn term(field: tantivy::schema::Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(query, boost))
}

impl SearchIndex {
    /// The ids of up to `limit` (at most [`MAX_CANDIDATES`]) open records of
    /// the target type, best first by shared words, sectors and place. Fails
    /// only on index I/O errors.
    pub fn candidates(&self, request: &CandidateRequest) -> Result<Vec<Uuid>, SearchError> {
        let Some(target) = request.target else {
            return Ok(Vec::new());
        };
        let searcher = self.reader().searcher();
        let fields = self.fields();
        let num_docs = searcher.num_docs().max(1) as f32;

        // The text's stems, synonyms expanded, weighted by tf·idf.
        let mut weights: BTreeMap<String, f32> = BTreeMap::new();
        for (text, weight) in [(&request.title, 2.0f32), (&request.description, 1.0)] {
            let tokens = self.analyzers().analyze(text);
            let stems: Vec<&str> = tokens.iter().map(|t| t.stem.as_str()).collect();
            let mut at = 0;
            while at < stems.len() {
                match self.synonyms().longest_match(&stems[at..]) {
                    Some(found) => {
                        for entry in self.synonyms().group(found.group) {
                            for stem in entry {
                                *weights.entry(stem.clone()).or_default() += weight;
                            }
                        }
                        at += found.len;
                    }
                    None => {
                        *weights.entry(stems[at].to_owned()).or_default() += weight;
                        at += 1;
                    }
                }
            }
        }
        let mut scored: Vec<(String, f32)> = weights
            .into_iter()
            .filter_map(|(stem, tf)| {
                let df = [fields.title_stem, fields.body_stem]
                    .iter()
                    .map(|f| {
                        searcher
                            .doc_freq(&Term::from_field_text(*f, &stem))
                            .unwrap_or(0)
                    })
                    .max()
                    .unwrap_or(0);
                (df > 0).then(|| {
                    let idf = (1.0 + (num_docs - df as f32 + 0.5) / (df as f32 + 0.5)).ln();
                    (stem, tf.sqrt() * idf)
                })
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(MAX_TERMS);
        let top = scored.first().map_or(1.0, |s| s.1.max(f32::EPSILON));

        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (stem, weight) in &scored {
            for (field, boost) in [(fields.title_stem, 2.0), (fields.body_stem, 1.0)] {
                should.push((
                    Occur::Should,
                    boosted(term(field, stem), boost * weight / top),
                ));
            }
        }
        for sector in &request.sectors {
            should.push((Occur::Should, boosted(term(fields.sector, sector), 0.5)));
        }
        if let Some(code) = &request.municipality {
            should.push((Occur::Should, boosted(term(fields.municipality, code), 0.3)));
        }
        if let Some(id) = request.neighbourhood {
            should.push((
                Occur::Should,
                boosted(term(fields.neighbourhood, &id.to_string()), 0.6),
            ));
        }

        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
            (
                Occur::Must,
                boosted(term(fields.doc_type, target.as_str()), 0.0),
            ),
            (Occur::Must, boosted(term(fields.status, "open"), 0.0)),
        ];
        if !request.kinds.is_empty() {
            let kinds = request
                .kinds
                .iter()
                .map(|k| (Occur::Should, term(fields.kind, k)))
                .collect();
            clauses.push((
                Occur::Must,
                boosted(Box::new(BooleanQuery::new(kinds)), 0.0),
            ));
        }
        if let Some(organization) = request.exclude_organization {
            clauses.push((
                Occur::MustNot,
                term(fields.organization_id, &organization.to_string()),
            ));
        }
        if !should.is_empty() {
            clauses.push((Occur::Should, Box::new(BooleanQuery::new(should))));
        }
        let query = BooleanQuery::new(clauses);
        let limit = request.limit.clamp(1, MAX_CANDIDATES);
        let top_docs = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        let mut ids = Vec::with_capacity(top_docs.len());
        for (_, address) in top_docs {
            let doc: TantivyDocument = searcher.doc(address)?;
            let key = doc
                .get_first(fields.key)
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            if let Some((doc_type, id)) = parse_key(&key)
                && doc_type == target
            {
                ids.push(id);
            }
        }
        Ok(ids)
    }
}
