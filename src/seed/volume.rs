//! The demo's volume: the templates of `assets/demo/territorio.json`
//! instantiated over Milano's neighbourhoods and the metropolitan area's
//! larger municipalities, so that search, matches and the observatory have
//! hundreds of records to show.
//!
//! Deterministic: every choice (which phrasing, which amount, how many days
//! to the deadline, whether the record is closed) comes from a pseudo-random
//! sequence seeded by the template's key and the instance's position, so the
//! same file always gives the same records, and editing one template does
//! not reshuffle the others.
//!
//! Dates are counted from the day of loading, not from a fixed date: a demo
//! loaded next year must still show open needs with future deadlines, or
//! matching (which excludes needs past their deadline and offers past their
//! availability, `src/matching/score.rs`) would find nothing. A few needs
//! are loaded past their deadline, closed or as drafts, as on a platform in
//! use; open ones stay about nine in ten.

use std::collections::HashMap;

use anyhow::{Context, anyhow, bail};
use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use uuid::Uuid;

use super::{
    DemoNeed, DemoOffer, DemoOrganization, DemoReport, ensure_need, ensure_offer,
    ensure_organization,
};
use crate::domain::TaxCode;
use crate::services::Actor;
use crate::services::reference_data::MILANO;
use crate::store::entities::municipalities;

const VOLUME_JSON: &str = include_str!("../../assets/demo/territorio.json");

/// The real public bodies of the volume carry fictional tax codes (the
/// organisation form requires one, and their real codes are not shipped
/// here): the verification source says so.
const PUBLIC_BODY_VERIFICATION: &str =
    "Ente pubblico reale, codice fiscale fittizio (dati dimostrativi)";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VolumeFile {
    neighbourhoods: Vec<Neighbourhood>,
    municipalities: Vec<String>,
    health_bodies: Vec<HealthBody>,
    organizations: Vec<OrgTemplate>,
    committees: Committees,
    needs: Vec<NeedTemplate>,
    offers: Vec<OfferTemplate>,
}

#[derive(Deserialize)]
struct Neighbourhood {
    code: String,
    name: String,
    #[serde(rename = "in")]
    in_form: Option<String>,
    municipio: u8,
    #[serde(default)]
    erp: bool,
}

#[derive(Deserialize)]
struct HealthBody {
    name: String,
    /// A NIL code of Milano or the name of a municipality.
    home: String,
}

#[derive(Deserialize)]
struct OrgTemplate {
    kind: String,
    suffix: String,
    runts: bool,
    sectors: Vec<String>,
    names: Vec<String>,
    descriptions: Vec<String>,
}

#[derive(Deserialize)]
struct Committees {
    name: String,
    description: String,
}

/// Where a template's instances go, and who owns them.
#[derive(Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Over {
    /// The neighbourhoods with public housing (ERP).
    Erp,
    /// Every neighbourhood of the list.
    Nil,
    /// The municipalities of the list.
    Metro,
    /// The invented organisations of some kinds, at home.
    Orgs,
    /// The tenants' committees.
    Committees,
    /// The health bodies.
    Health,
    /// The sports associations of the 5x1000 list.
    Registry,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Selection {
    #[serde(rename = "for")]
    over: Over,
    /// A hand-written organisation's key; by default the Municipio of the
    /// neighbourhood, the municipality itself, or the organisation.
    owner: Option<String>,
    #[serde(default)]
    kinds: Vec<String>,
    /// Only every n-th place (with `offset`), to vary who asks for what.
    every: Option<usize>,
    #[serde(default)]
    offset: usize,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NeedTemplate {
    key: String,
    #[serde(flatten)]
    selection: Selection,
    kind: String,
    titles: Vec<String>,
    descriptions: Vec<String>,
    #[serde(default)]
    required: Vec<String>,
    #[serde(default)]
    eligible: Vec<String>,
    #[serde(default)]
    art55: bool,
    sectors: Vec<String>,
    budget_euro: Option<[i64; 3]>,
    deadline_days: Option<[u64; 2]>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OfferTemplate {
    key: String,
    #[serde(flatten)]
    selection: Selection,
    kind: String,
    titles: Vec<String>,
    descriptions: Vec<String>,
    scope: String,
    #[serde(default)]
    eligible: Vec<String>,
    sectors: Vec<String>,
    amount_euro: Option<[i64; 3]>,
    until_days: Option<[u64; 2]>,
}

/// A place of the demo: a neighbourhood of Milano or a municipality.
#[derive(Clone, Debug)]
enum Place {
    Nil {
        code: String,
        name: String,
        in_form: String,
        municipio: u8,
    },
    Town {
        code: String,
        name: String,
    },
}

impl Place {
    fn town(code: &str, name: &str) -> Self {
        Self::Town {
            code: code.to_owned(),
            name: name.to_owned(),
        }
    }

    fn name(&self) -> &str {
        match self {
            Self::Nil { name, .. } | Self::Town { name, .. } => name,
        }
    }

    /// "a San Siro", "al Corvetto", "a Rho".
    fn in_form(&self) -> String {
        match self {
            Self::Nil { in_form, .. } => in_form.clone(),
            Self::Town { name, .. } => format!("a {name}"),
        }
    }

    fn municipality_code(&self) -> &str {
        match self {
            Self::Nil { .. } => MILANO,
            Self::Town { code, .. } => code,
        }
    }

    fn nil_code(&self) -> Option<&str> {
        match self {
            Self::Nil { code, .. } => Some(code),
            Self::Town { .. } => None,
        }
    }

    fn fill(&self, template: &str) -> String {
        let municipio = match self {
            Self::Nil { municipio, .. } => municipio.to_string(),
            Self::Town { .. } => String::new(),
        };
        template
            .replace("{in_q}", &self.in_form())
            .replace("{q}", self.name())
            .replace("{municipio}", &municipio)
    }
}

/// An organisation that owns generated records, with its home.
#[derive(Clone, Debug)]
struct Owner {
    id: Uuid,
    kind: String,
    home: Place,
}

/// splitmix64: small, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn for_instance(key: &str, index: usize) -> Self {
        // FNV-1a of the key, then the index mixed in.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in key.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        Self(hash ^ (index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn between(&mut self, [low, high]: [u64; 2]) -> u64 {
        low + self.next() % (high.saturating_sub(low) + 1)
    }

    /// Euro in `[min, max]` in steps of `step`, as cents.
    fn euro_cents(&mut self, [min, max, step]: [i64; 3]) -> i64 {
        let steps = ((max - min) / step.max(1)).max(0) as u64 + 1;
        (min + step * (self.next() % steps) as i64) * 100
    }
}

/// A fictional organisation tax code: eleven digits starting with `first`
/// (8 for public bodies, 9 for non-commercial ones, as real codes do), the
/// last one the check digit that validation expects.
fn fictional_tax_code(seed: &str, first: u32) -> String {
    let mut rng = Rng::for_instance(seed, 0);
    let body: String = std::iter::once(first % 10)
        .chain((1..10).map(|_| (rng.next() % 10) as u32))
        .filter_map(|d| char::from_digit(d, 10))
        .collect();
    (0..10)
        .map(|check| format!("{body}{check}"))
        .find(|code| TaxCode::parse(code).is_ok())
        .unwrap_or(body)
}

/// The deadline `days` after (or before) `today`, at the end of the Italian
/// day.
fn end_of_day(today: NaiveDate, days: i64) -> Option<DateTime<Utc>> {
    let date = if days >= 0 {
        today.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        today.checked_sub_days(Days::new(days.unsigned_abs()))
    }?;
    Some(date.and_hms_opt(22, 0, 0)?.and_utc())
}

/// The organisations the templates refer to.
struct Owners {
    keys: HashMap<String, Uuid>,
    municipi: HashMap<u8, Uuid>,
    towns: Vec<(Owner, Place)>,
    nils: Vec<Place>,
    erp: Vec<Place>,
    invented: Vec<Owner>,
    committees: Vec<Owner>,
    health: Vec<Owner>,
    registry: Vec<Owner>,
}

impl Owners {
    /// The (owner, place) pairs a selection covers.
    fn select(&self, selection: &Selection, what: &str) -> anyhow::Result<Vec<(Uuid, Place)>> {
        let fixed = match &selection.owner {
            Some(key) => Some(
                *self
                    .keys
                    .get(key)
                    .ok_or_else(|| anyhow!("{what}: unknown owner {key:?}"))?,
            ),
            None => None,
        };
        let at_home = |owners: &[Owner]| -> Vec<(Uuid, Place)> {
            owners
                .iter()
                .filter(|o| selection.kinds.is_empty() || selection.kinds.contains(&o.kind))
                .map(|o| (fixed.unwrap_or(o.id), o.home.clone()))
                .collect()
        };
        let in_neighbourhoods = |places: &[Place]| -> anyhow::Result<Vec<(Uuid, Place)>> {
            places
                .iter()
                .map(|place| {
                    let owner = match (fixed, place) {
                        (Some(id), _) => id,
                        (None, Place::Nil { municipio, .. }) => *self
                            .municipi
                            .get(municipio)
                            .ok_or_else(|| anyhow!("{what}: no Municipio {municipio}"))?,
                        (None, Place::Town { .. }) => bail!("{what}: a town among the NIL"),
                    };
                    Ok((owner, place.clone()))
                })
                .collect()
        };
        let all = match selection.over {
            Over::Erp => in_neighbourhoods(&self.erp)?,
            Over::Nil => in_neighbourhoods(&self.nils)?,
            Over::Metro => self
                .towns
                .iter()
                .map(|(town, place)| (fixed.unwrap_or(town.id), place.clone()))
                .collect(),
            Over::Orgs => at_home(&self.invented),
            Over::Committees => at_home(&self.committees),
            Over::Health => at_home(&self.health),
            Over::Registry => at_home(&self.registry),
        };
        let every = selection.every.unwrap_or(1).max(1);
        Ok(all
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % every == selection.offset % every)
            .map(|(_, pair)| pair)
            .collect())
    }
}

/// One instance of a template: who, where, and its pseudo-random sequence,
/// with the phrasing already drawn and its fate (0..100: below 3 closed,
/// below 5 a draft, below 10 past its deadline when it has one).
struct Instance {
    owner: Uuid,
    place: Place,
    rng: Rng,
    variant: usize,
    fate: usize,
}

impl Owners {
    fn instances(
        &self,
        key: &str,
        selection: &Selection,
        variants: usize,
        what: &str,
    ) -> anyhow::Result<Vec<Instance>> {
        Ok(self
            .select(selection, what)?
            .into_iter()
            .enumerate()
            .map(|(i, (owner, place))| {
                let mut rng = Rng::for_instance(key, i);
                let variant = rng.below(variants);
                let fate = rng.below(100);
                Instance {
                    owner,
                    place,
                    rng,
                    variant,
                    fate,
                }
            })
            .collect())
    }
}

/// Closed or draft, by an instance's fate; `None` is open.
fn status_of(fate: usize) -> Option<String> {
    match fate {
        0..3 => Some("closed".to_owned()),
        3..5 => Some("draft".to_owned()),
        _ => None,
    }
}

/// Loads the volume. `keys` are the hand-written organisations; `registry`
/// the sports associations with their seat. Fails when the template file
/// names something unknown, or like the services.
pub(super) async fn load(
    db: &DatabaseConnection,
    actor: &Actor,
    keys: &HashMap<String, Uuid>,
    hand_written_names: &HashMap<String, Uuid>,
    registry: &[(Uuid, Option<String>)],
    today: NaiveDate,
    report: &mut DemoReport,
) -> anyhow::Result<()> {
    let file: VolumeFile =
        serde_json::from_str(VOLUME_JSON).context("assets/demo/territorio.json")?;
    let province: Vec<municipalities::Model> =
        crate::store::seed::municipalities_of_province(db, "MI").await?;
    let code_of = |name: &str| -> anyhow::Result<String> {
        province
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.istat_code.clone())
            .ok_or_else(|| {
                anyhow!("territorio.json: {name:?} is not a municipality of the province of Milano")
            })
    };

    let nils: Vec<Place> = file
        .neighbourhoods
        .iter()
        .map(|n| Place::Nil {
            code: n.code.clone(),
            name: n.name.clone(),
            in_form: n.in_form.clone().unwrap_or_else(|| format!("a {}", n.name)),
            municipio: n.municipio,
        })
        .collect();
    let erp: Vec<Place> = file
        .neighbourhoods
        .iter()
        .zip(&nils)
        .filter(|(n, _)| n.erp)
        .map(|(_, place)| place.clone())
        .collect();
    let mut towns_list = Vec::new();
    for name in &file.municipalities {
        towns_list.push(Place::town(&code_of(name)?, name));
    }
    let place_named = |home: &str| -> anyhow::Result<Place> {
        if let Some(nil) = nils.iter().find(|p| p.nil_code() == Some(home)) {
            return Ok(nil.clone());
        }
        towns_list
            .iter()
            .find(|p| p.name() == home)
            .cloned()
            .ok_or_else(|| anyhow!("territorio.json: unknown home {home:?}"))
    };

    let public_body =
        |name: String, kind: &str, place: &Place, description: String| DemoOrganization {
            key: name.clone(),
            tax_code: Some(fictional_tax_code(&name, 8)),
            name,
            kind: kind.to_owned(),
            description,
            website: None,
            seat_municipality_code: Some(place.municipality_code().to_owned()),
            lat: None,
            lon: None,
            sectors: Vec::new(),
            neighbourhoods: place.nil_code().map(str::to_owned).into_iter().collect(),
            contacts: Vec::new(),
            verified: Some(PUBLIC_BODY_VERIFICATION.to_owned()),
            runts: false,
        };

    // The nine Municipi of Milano, each with its neighbourhoods of the list.
    let mut municipi = HashMap::new();
    for number in 1..=9u8 {
        let mine: Vec<&Neighbourhood> = file
            .neighbourhoods
            .iter()
            .filter(|n| n.municipio == number)
            .collect();
        let names: Vec<&str> = mine.iter().map(|n| n.name.as_str()).collect();
        let mut org = public_body(
            format!("Municipio {number} del Comune di Milano"),
            "municipality",
            &Place::town(MILANO, "Milano"),
            format!(
                "Il Municipio {number} è uno dei nove municipi del Comune di Milano. Promuove i patti di collaborazione con i cittadini per la cura dei beni comuni e segue i servizi di prossimità{}.",
                if names.is_empty() {
                    String::new()
                } else {
                    format!(" nei quartieri {}", names.join(", "))
                }
            ),
        );
        org.sectors = vec![
            "beni_comuni".to_owned(),
            "welfare_comunita".to_owned(),
            "rigenerazione_urbana".to_owned(),
        ];
        org.neighbourhoods = mine.iter().map(|n| n.code.clone()).collect();
        municipi.insert(number, ensure_organization(db, actor, &org, report).await?);
    }

    let mut towns = Vec::new();
    for place in &towns_list {
        let mut org = public_body(
            format!("Comune di {}", place.name()),
            "municipality",
            place,
            format!(
                "Il Comune di {} promuove i patti di collaborazione con i cittadini e la co-progettazione con il Terzo Settore per i servizi sociali, gli spazi pubblici e l'abitare.",
                place.name()
            ),
        );
        org.sectors = vec![
            "welfare_comunita".to_owned(),
            "rigenerazione_urbana".to_owned(),
            "abitare".to_owned(),
        ];
        let id = ensure_organization(db, actor, &org, report).await?;
        towns.push((
            Owner {
                id,
                kind: org.kind,
                home: place.clone(),
            },
            place.clone(),
        ));
    }

    let mut health = Vec::new();
    for body in &file.health_bodies {
        let home = place_named(&body.home)?;
        let mut org = public_body(
            body.name.clone(),
            "public_health_body",
            &home,
            format!(
                "Azienda socio-sanitaria territoriale della Regione Lombardia: ospedali, consultori, infermieri di famiglia e di comunità {} e nei comuni vicini.",
                home.in_form()
            ),
        );
        org.sectors = vec!["salute".to_owned(), "welfare_comunita".to_owned()];
        let id = ensure_organization(db, actor, &org, report).await?;
        health.push(Owner {
            id,
            kind: org.kind,
            home,
        });
    }

    // Invented organisations: two homes in three in Milano's neighbourhoods.
    let mut invented = Vec::new();
    for template in &file.organizations {
        for (i, entry) in template.names.iter().enumerate() {
            // "Name@Home" fixes the home of a name that says where it is.
            let (short, fixed_home) = match entry.split_once('@') {
                Some((short, home)) => (short, Some(place_named(home)?)),
                None => (entry.as_str(), None),
            };
            let mut rng = Rng::for_instance(&format!("org:{short}"), i);
            let home = match fixed_home {
                Some(home) => home,
                None if rng.below(3) < 2 => nils[rng.below(nils.len())].clone(),
                None => towns_list[rng.below(towns_list.len())].clone(),
            };
            let name = if template.suffix.is_empty() {
                short.to_owned()
            } else {
                format!("{short} {}", template.suffix)
            };
            let first_digit = match template.kind.as_str() {
                "aps" | "odv" | "onlus" | "foundation" => 9,
                _ => 1,
            };
            let verified = match template.kind.as_str() {
                "bank" => Some("Albo delle banche (dati dimostrativi)".to_owned()),
                _ if template.runts => Some("RUNTS (dati dimostrativi)".to_owned()),
                _ => None,
            };
            let org = DemoOrganization {
                key: name.clone(),
                tax_code: Some(fictional_tax_code(&name, first_digit)),
                description: home
                    .fill(&template.descriptions[rng.below(template.descriptions.len())]),
                name,
                kind: template.kind.clone(),
                website: None,
                seat_municipality_code: Some(home.municipality_code().to_owned()),
                lat: None,
                lon: None,
                sectors: template.sectors.clone(),
                neighbourhoods: home.nil_code().map(str::to_owned).into_iter().collect(),
                contacts: Vec::new(),
                verified,
                runts: template.runts,
            };
            let id = ensure_organization(db, actor, &org, report).await?;
            invented.push(Owner {
                id,
                kind: template.kind.clone(),
                home,
            });
        }
    }

    // A tenants' committee in every public-housing neighbourhood (the
    // hand-written one of Lorenteggio included).
    let mut committees = Vec::new();
    for place in &erp {
        let name = place.fill(&file.committees.name);
        let id = match hand_written_names.get(&name) {
            Some(id) => *id,
            None => {
                let org = DemoOrganization {
                    key: name.clone(),
                    name,
                    kind: "informal_group".to_owned(),
                    tax_code: None,
                    description: place.fill(&file.committees.description),
                    website: None,
                    seat_municipality_code: Some(MILANO.to_owned()),
                    lat: None,
                    lon: None,
                    sectors: vec!["beni_comuni".to_owned()],
                    neighbourhoods: place.nil_code().map(str::to_owned).into_iter().collect(),
                    contacts: Vec::new(),
                    verified: None,
                    runts: false,
                };
                ensure_organization(db, actor, &org, report).await?
            }
        };
        committees.push(Owner {
            id,
            kind: "informal_group".to_owned(),
            home: place.clone(),
        });
    }

    let registry = registry
        .iter()
        .filter_map(|(id, code)| {
            let town = province
                .iter()
                .find(|m| Some(&m.istat_code) == code.as_ref())?;
            Some(Owner {
                id: *id,
                kind: "association".to_owned(),
                home: Place::town(&town.istat_code, &town.name),
            })
        })
        .collect();

    let owners = Owners {
        keys: keys.clone(),
        municipi,
        towns,
        nils,
        erp,
        invented,
        committees,
        health,
        registry,
    };

    for template in &file.needs {
        let what = format!("need template {:?}", template.key);
        let instances = owners.instances(
            &template.key,
            &template.selection,
            template.titles.len(),
            &what,
        )?;
        for Instance {
            owner,
            place,
            mut rng,
            variant,
            fate,
        } in instances
        {
            let deadline = match template.deadline_days {
                Some(_) if (5..10).contains(&fate) => {
                    end_of_day(today, -(rng.between([10, 60]) as i64))
                }
                Some(days) => end_of_day(today, rng.between(days) as i64),
                None => None,
            };
            let need = DemoNeed {
                organization: template.key.clone(),
                kind: template.kind.clone(),
                title: place.fill(&template.titles[variant]),
                description: place
                    .fill(&template.descriptions[variant % template.descriptions.len()]),
                budget_cents: template.budget_euro.map(|range| rng.euro_cents(range)),
                deadline_at: deadline,
                municipality_code: Some(place.municipality_code().to_owned()),
                neighbourhood_code: place.nil_code().map(str::to_owned),
                other_places: Default::default(),
                territory_scope: None,
                location_precision: Some(
                    if place.nil_code().is_some() {
                        "neighbourhood"
                    } else {
                        "municipality"
                    }
                    .to_owned(),
                ),
                required_contributions: template.required.clone(),
                eligible_organization_kinds: template.eligible.clone(),
                requires_third_sector_registration: template.art55,
                sectors: template.sectors.clone(),
                status: status_of(fate),
            };
            ensure_need(db, actor, owner, &need, report)
                .await
                .with_context(|| format!("{what}: {:?}", need.title))?;
        }
    }

    for template in &file.offers {
        let what = format!("offer template {:?}", template.key);
        let instances = owners.instances(
            &template.key,
            &template.selection,
            template.titles.len(),
            &what,
        )?;
        for Instance {
            owner,
            place,
            mut rng,
            variant,
            fate,
        } in instances
        {
            let neighbourhood = match template.scope.as_str() {
                "neighbourhood" => place.nil_code().map(str::to_owned),
                _ => None,
            };
            let scope = match (&neighbourhood, template.scope.as_str()) {
                (None, "neighbourhood") => "municipality".to_owned(),
                (_, scope) => scope.to_owned(),
            };
            let offer = DemoOffer {
                organization: template.key.clone(),
                kind: template.kind.clone(),
                title: place.fill(&template.titles[variant]),
                description: place
                    .fill(&template.descriptions[variant % template.descriptions.len()]),
                amount_min_cents: template.amount_euro.map(|[min, ..]| min * 100),
                amount_max_cents: template.amount_euro.map(|range| rng.euro_cents(range)),
                available_from: None,
                available_until: template
                    .until_days
                    .and_then(|days| today.checked_add_days(Days::new(rng.between(days)))),
                eligible_organization_kinds: template.eligible.clone(),
                municipality_code: (scope != "national")
                    .then(|| place.municipality_code().to_owned()),
                neighbourhood_code: neighbourhood,
                other_places: Default::default(),
                territory_scope: scope,
                sectors: template.sectors.clone(),
                status: status_of(fate),
            };
            ensure_offer(db, actor, owner, &offer, report)
                .await
                .with_context(|| format!("{what}: {:?}", offer.title))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fictional_tax_codes_pass_validation() {
        for seed in ["Il Melograno", "Verde Lavoro", "Mano Tesa", "x"] {
            for first in [1, 8, 9] {
                let code = fictional_tax_code(seed, first);
                assert!(TaxCode::parse(&code).is_ok(), "{code}");
            }
        }
    }

    #[test]
    fn the_sequence_is_fixed() {
        let mut a = Rng::for_instance("scale", 3);
        let mut b = Rng::for_instance("scale", 3);
        assert_eq!(a.next(), b.next());
        assert_ne!(Rng::for_instance("scale", 4).next(), b.next());
        let mut rng = Rng::for_instance("budget", 0);
        for _ in 0..100 {
            let cents = rng.euro_cents([1000, 8000, 500]);
            assert!((100_000..=800_000).contains(&cents) && cents % 50_000 == 0);
        }
    }

    #[test]
    fn the_templates_parse() {
        let file: VolumeFile = serde_json::from_str(VOLUME_JSON).expect("territorio.json");
        assert!(file.neighbourhoods.iter().filter(|n| n.erp).count() >= 9);
        for template in &file.needs {
            assert!(!template.titles.is_empty(), "{}", template.key);
        }
    }
}
