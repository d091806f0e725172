//! The art. 55 public notice and the comparative evaluation: what a
//! notice must say (purpose, object, economic frame, duration,
//! requirements, evaluation criteria with their maximum points and
//! weights, at least 20 days open), the scores of an application
//! against its criteria, and the ranking.
//!
//! Points are whole numbers from 0 to the criterion's maximum; a
//! criterion's weight multiplies them, so the total is
//! `sum(points × weight)` out of `sum(max × weight)`, in whole numbers
//! (no rounding, hence no ties made or broken by it).

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::domain::error::{Errors, Invalid, ValidationErrors};
use crate::domain::text::{Description, ShortText};

/// The least number of days a notice stays open before applications may
/// close: Trama's floor for art. 55 notices (the rule of the co-design
/// issue, after the practice under DM 72/2021's guidelines of a congruous
/// time for applying). A notice may ask for more, never less.
pub const MIN_OPEN_DAYS: u32 = 20;
/// At most this many days open (a year): a longer one is a typo.
pub const MAX_OPEN_DAYS: u32 = 365;
/// At most this many criteria in a notice.
pub const MAX_CRITERIA: usize = 20;
/// The largest maximum of a criterion and the largest weight.
pub const MAX_POINTS: u32 = 100;
pub const MAX_WEIGHT: u32 = 100;

/// A notice's evaluation criterion as a form sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CriterionInput {
    pub name: String,
    pub max_points: i64,
    pub weight: i64,
}

/// A notice as a form sends it (fields named as the API's camelCase:
/// `purpose`, `object`, `economicFrame`, `duration`, `requirements`,
/// `criteria[i].name|maxPoints|weight`, `minOpenDays`, `minTotal`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoticeInput {
    pub purpose: String,
    pub object: String,
    pub economic_frame: String,
    pub duration: String,
    pub requirements: String,
    pub criteria: Vec<CriterionInput>,
    /// Days the notice stays open; [`MIN_OPEN_DAYS`] when absent.
    pub min_open_days: Option<i64>,
    /// The least total an application needs to be admissible to the
    /// co-design table; none when absent.
    pub min_total: Option<i64>,
}

/// A criterion of a valid notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criterion {
    pub name: ShortText,
    pub max_points: u32,
    pub weight: u32,
}

/// A notice that says everything art. 55 asks of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub purpose: Description,
    pub object: Description,
    pub economic_frame: Description,
    pub duration: Description,
    pub requirements: Description,
    pub criteria: Vec<Criterion>,
    pub min_open_days: u32,
    pub min_total: Option<u32>,
}

fn required_text(raw: &str) -> Result<Description, Invalid> {
    let text = Description::parse(raw)?;
    if text.is_empty() {
        Err(Invalid::Required)
    } else {
        Ok(text)
    }
}

fn within(value: i64, min: u32, max: u32) -> Result<u32, Invalid> {
    u32::try_from(value)
        .ok()
        .filter(|v| (min..=max).contains(v))
        .ok_or(Invalid::OutOfRange {
            min: i64::from(min),
            max: i64::from(max),
        })
}

impl NoticeInput {
    /// Checks every field and reports every problem at once: blank texts
    /// (`Required`), no criteria or more than [`MAX_CRITERIA`], a
    /// criterion's name, maximum (1 to 100) or weight (1 to 100) out of
    /// range, fewer than 20 days open, a minimum total above the highest
    /// total the criteria allow.
    pub fn validate(&self) -> Result<Notice, ValidationErrors> {
        let mut errs = Errors::new();
        let purpose = errs.check("purpose", required_text(&self.purpose));
        let object = errs.check("object", required_text(&self.object));
        let economic_frame = errs.check("economicFrame", required_text(&self.economic_frame));
        let duration = errs.check("duration", required_text(&self.duration));
        let requirements = errs.check("requirements", required_text(&self.requirements));
        if self.criteria.is_empty() {
            errs.push("criteria", Invalid::Required);
        } else if self.criteria.len() > MAX_CRITERIA {
            errs.push("criteria", Invalid::TooMany { max: MAX_CRITERIA });
        }
        let mut criteria = Vec::with_capacity(self.criteria.len());
        for (i, input) in self.criteria.iter().enumerate() {
            let name = errs.check(format!("criteria[{i}].name"), ShortText::parse(&input.name));
            let max_points = errs.check(
                format!("criteria[{i}].maxPoints"),
                within(input.max_points, 1, MAX_POINTS),
            );
            let weight = errs.check(
                format!("criteria[{i}].weight"),
                within(input.weight, 1, MAX_WEIGHT),
            );
            if let (Some(name), Some(max_points), Some(weight)) = (name, max_points, weight) {
                criteria.push(Criterion {
                    name,
                    max_points,
                    weight,
                });
            }
        }
        let min_open_days = errs.check(
            "minOpenDays",
            self.min_open_days.map_or(Ok(MIN_OPEN_DAYS), |d| {
                within(d, MIN_OPEN_DAYS, MAX_OPEN_DAYS)
            }),
        );
        let highest: u32 = criteria.iter().map(|c| c.max_points * c.weight).sum();
        let min_total = match self.min_total {
            None => Some(None),
            Some(total) => errs.check("minTotal", within(total, 0, highest).map(Some)),
        };
        errs.build(|| {
            Some(Notice {
                purpose: purpose?,
                object: object?,
                economic_frame: economic_frame?,
                duration: duration?,
                requirements: requirements?,
                criteria,
                min_open_days: min_open_days?,
                min_total: min_total?,
            })
        })
    }
}

/// An application's validated scores and their weighted total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scorecard {
    /// Points per criterion, in the notice's order.
    pub points: Vec<u32>,
    pub total: u32,
}

impl Notice {
    /// The highest total an application can reach.
    pub fn max_total(&self) -> u32 {
        self.criteria.iter().map(|c| c.max_points * c.weight).sum()
    }

    /// When applications may close at the earliest: `opened_at` plus the
    /// notice's days open (whole days of 24 hours from the publication).
    pub fn closes_not_before(&self, opened_at: DateTime<Utc>) -> DateTime<Utc> {
        opened_at + Duration::days(i64::from(self.min_open_days))
    }

    /// Whether a total makes an application admissible to the table.
    pub fn is_admissible(&self, total: u32) -> bool {
        self.min_total.is_none_or(|min| total >= min)
    }

    /// Checks an application's scores, one per criterion in the notice's
    /// order (`scores[i]`), and totals them. Fails with `Required` for a
    /// missing score, `OutOfRange` (0 to the criterion's maximum) for one
    /// out of range, and `TooMany` at `scores` for more scores than
    /// criteria.
    pub fn score(&self, scores: &[Option<i64>]) -> Result<Scorecard, ValidationErrors> {
        let mut errs = Errors::new();
        if scores.len() > self.criteria.len() {
            errs.push(
                "scores",
                Invalid::TooMany {
                    max: self.criteria.len(),
                },
            );
        }
        let mut points = Vec::with_capacity(self.criteria.len());
        for (i, criterion) in self.criteria.iter().enumerate() {
            let field = format!("scores[{i}]");
            match scores.get(i).copied().flatten() {
                None => errs.push(field, Invalid::Required),
                Some(raw) => {
                    if let Some(value) = errs.check(field, within(raw, 0, criterion.max_points)) {
                        points.push(value);
                    }
                }
            }
        }
        errs.build(|| {
            let total = points
                .iter()
                .zip(&self.criteria)
                .map(|(p, c)| p * c.weight)
                .sum();
            Some(Scorecard { points, total })
        })
    }
}

/// An application's place in the ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ranked {
    pub application_id: Uuid,
    pub total: u32,
    /// 1 for the best; equal totals share a position ("1, 1, 3").
    pub position: u32,
    /// Reaches the notice's minimum total (always, without one).
    pub admissible: bool,
}

/// Ranks scored applications by total, highest first. Equal totals keep
/// the order given (the services pass applications in the order they
/// arrived) and share a position.
pub fn rank(notice: &Notice, scored: &[(Uuid, Scorecard)]) -> Vec<Ranked> {
    let mut order: Vec<&(Uuid, Scorecard)> = scored.iter().collect();
    order.sort_by_key(|entry| std::cmp::Reverse(entry.1.total));
    let mut ranked: Vec<Ranked> = Vec::with_capacity(order.len());
    for (i, (id, card)) in order.into_iter().enumerate() {
        let position = match ranked.last() {
            Some(previous) if previous.total == card.total => previous.position,
            _ => u32::try_from(i + 1).unwrap_or(u32::MAX),
        };
        ranked.push(Ranked {
            application_id: *id,
            total: card.total,
            position,
            admissible: notice.is_admissible(card.total),
        });
    }
    ranked
}

#[cfg(test)]
/// The Quartieri Connessi call, as a notice.
pub(crate) fn quartieri_connessi() -> NoticeInput {
    NoticeInput {
        purpose: "Rafforzare la rete di quartiere e l'inclusione sociale".into(),
        object: "Servizi innovativi in nove spazi ERP ristrutturati".into(),
        economic_frame: "Contributi PON Metro per lo start up dei servizi".into(),
        duration: "24 mesi".into(),
        requirements: "Enti del Terzo settore iscritti al RUNTS".into(),
        criteria: vec![
            CriterionInput {
                name: "Qualità del progetto".into(),
                max_points: 10,
                weight: 4,
            },
            CriterionInput {
                name: "Radicamento nel quartiere".into(),
                max_points: 10,
                weight: 3,
            },
            CriterionInput {
                name: "Inserimento lavorativo".into(),
                max_points: 5,
                weight: 2,
            },
        ],
        min_open_days: None,
        min_total: Some(40),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::error::Lang;

    #[test]
    fn a_complete_notice_is_valid() {
        let notice = quartieri_connessi().validate().expect("valid notice");
        assert_eq!(notice.min_open_days, MIN_OPEN_DAYS);
        assert_eq!(notice.max_total(), 40 + 30 + 10);
        assert_eq!(notice.criteria[0].name.as_str(), "Qualità del progetto");
        let opened = DateTime::from_timestamp(1_790_000_000, 0).expect("time");
        assert_eq!(
            notice.closes_not_before(opened),
            opened + Duration::days(20)
        );
    }

    /// The notice's free-text fields, as the API names them.
    const TEXT_FIELDS: [&str; 5] = [
        "purpose",
        "object",
        "economicFrame",
        "duration",
        "requirements",
    ];

    #[test]
    fn a_notice_names_every_missing_or_wrong_field() {
        let input = NoticeInput {
            criteria: vec![CriterionInput {
                name: " ".into(),
                max_points: 0,
                weight: 101,
            }],
            min_open_days: Some(10),
            min_total: Some(1),
            ..NoticeInput::default()
        };
        let errors = input.validate().expect_err("invalid");
        for field in TEXT_FIELDS {
            assert!(
                errors.contains(field, &Invalid::Required),
                "{field}: {errors}"
            );
        }
        assert!(errors.contains("criteria[0].name", &Invalid::Required));
        assert!(errors.contains(
            "criteria[0].maxPoints",
            &Invalid::OutOfRange { min: 1, max: 100 }
        ));
        assert!(errors.contains(
            "criteria[0].weight",
            &Invalid::OutOfRange { min: 1, max: 100 }
        ));
        assert!(errors.contains("minOpenDays", &Invalid::OutOfRange { min: 20, max: 365 }));
        // No valid criterion: no total can be reached.
        assert!(errors.contains("minTotal", &Invalid::OutOfRange { min: 0, max: 0 }));

        let none = NoticeInput {
            criteria: vec![],
            ..quartieri_connessi()
        };
        let errors = none.validate().expect_err("no criteria");
        assert!(errors.contains("criteria", &Invalid::Required));
        let many = NoticeInput {
            criteria: vec![quartieri_connessi().criteria[0].clone(); MAX_CRITERIA + 1],
            ..quartieri_connessi()
        };
        let errors = many.validate().expect_err("too many");
        assert!(errors.contains("criteria", &Invalid::TooMany { max: MAX_CRITERIA }));
        let unreachable = NoticeInput {
            min_total: Some(81),
            ..quartieri_connessi()
        };
        let errors = unreachable.validate().expect_err("unreachable minimum");
        assert!(errors.contains("minTotal", &Invalid::OutOfRange { min: 0, max: 80 }));
        let longer = NoticeInput {
            min_open_days: Some(30),
            ..quartieri_connessi()
        };
        assert_eq!(longer.validate().expect("valid").min_open_days, 30);
    }

    #[test]
    fn every_field_has_a_label() {
        for field in TEXT_FIELDS.into_iter().chain([
            "criteria",
            "maxPoints",
            "weight",
            "minOpenDays",
            "minTotal",
            "scores",
        ]) {
            assert!(crate::domain::labels::has_label(field), "{field}");
        }
        assert_ne!(
            crate::domain::labels::label("scores[1]", Lang::It),
            crate::domain::labels::label("scores[1]", Lang::En)
        );
    }

    #[test]
    fn scores_are_checked_against_each_criterion() {
        let notice = quartieri_connessi().validate().expect("valid");
        let card = notice
            .score(&[Some(8), Some(7), Some(5)])
            .expect("valid scores");
        assert_eq!(card.points, [8, 7, 5]);
        assert_eq!(card.total, 8 * 4 + 7 * 3 + 5 * 2);

        let errors = notice
            .score(&[Some(11), None, Some(-1)])
            .expect_err("invalid scores");
        let above = Invalid::OutOfRange { min: 0, max: 10 };
        assert!(errors.contains("scores[0]", &above));
        assert!(errors.contains("scores[1]", &Invalid::Required));
        assert!(errors.contains("scores[2]", &Invalid::OutOfRange { min: 0, max: 5 }));
        // The message names the reason in both languages.
        let first = errors.iter().next().expect("an error");
        assert_eq!(first.field, "scores[0]");
        assert_ne!(first.message(Lang::It), first.message(Lang::En));

        let errors = notice.score(&[Some(1), Some(1)]).expect_err("missing");
        assert!(errors.contains("scores[2]", &Invalid::Required));
        let errors = notice
            .score(&[Some(1), Some(1), Some(1), Some(1)])
            .expect_err("extra");
        assert!(errors.contains("scores", &Invalid::TooMany { max: 3 }));
    }

    #[test]
    fn ranking_by_total_with_shared_positions_and_threshold() {
        let notice = quartieri_connessi().validate().expect("valid");
        let card = |scores: [i64; 3]| notice.score(&scores.map(Some)).expect("valid");
        let a = Uuid::from_u128(1);
        let b = Uuid::from_u128(2);
        let c = Uuid::from_u128(3);
        let d = Uuid::from_u128(4);
        let ranked = rank(
            &notice,
            &[
                (a, card([5, 5, 0])), // 35
                (b, card([8, 7, 5])), // 63
                (c, card([6, 5, 2])), // 43
                (d, card([6, 5, 2])), // 43
            ],
        );
        let summary: Vec<(Uuid, u32, u32, bool)> = ranked
            .iter()
            .map(|r| (r.application_id, r.total, r.position, r.admissible))
            .collect();
        assert_eq!(
            summary,
            [
                (b, 63, 1, true),
                (c, 43, 2, true),
                (d, 43, 2, true),
                (a, 35, 4, false),
            ]
        );
        assert!(rank(&notice, &[]).is_empty());
    }
}
