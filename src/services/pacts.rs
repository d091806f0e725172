//! The signed pact of a co-design project as a document: the PDF that its
//! partners (and anyone, for a public pact) download once every partner
//! approved the same version ([`crate::codesign::pdf`] lays it out).

use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::codesign::pdf::{self, PactApproval, PactContribution, PactParty, SignedPact};
use crate::domain::{ApprovalDecision, ContributionStatus, Lang};
use crate::error::AppError;
use crate::policy::visibility::Reader;
use crate::store;

/// The signed pact of `project_id` as a PDF in `lang`, with a file name.
/// NOT_FOUND on `projectId` when the reader may not see the project;
/// CONFLICT on `projectId` when it is not signed yet.
#[tracing::instrument(skip_all, fields(%project_id, ?lang))]
pub async fn pdf(
    db: &DatabaseConnection,
    reader: &Reader,
    project_id: Uuid,
    lang: Lang,
) -> Result<(String, Vec<u8>), AppError> {
    let pact = signed_pact(db, reader, project_id).await?;
    let name = file_name(&pact.title);
    // Laying out a long pact is CPU work: off the async workers, so that
    // other requests are not held up meanwhile.
    let bytes = tokio::task::spawn_blocking(move || pdf::render_pact(&pact, lang))
        .await
        .map_err(|error| AppError::Internal(anyhow::Error::new(error).context("pact PDF task")))?
        .map_err(|error| AppError::Internal(anyhow::Error::new(error).context("pact PDF")))?;
    Ok((name, bytes))
}

/// What the PDF of the project's signed pact shows.
pub async fn signed_pact(
    db: &DatabaseConnection,
    reader: &Reader,
    project_id: Uuid,
) -> Result<SignedPact, AppError> {
    let (ws, _) = super::projects::view(db, reader, project_id, "projectId").await?;
    let project = &ws.project;
    let (Some(signed_at), Some(version), Some(hash)) = (
        project.signed_at,
        project.agreement_version,
        project.agreement_hash.clone(),
    ) else {
        return Err(AppError::conflict(
            "projectId",
            "il patto non è ancora firmato da tutte le parti",
            "the pact is not signed by every party yet",
        ));
    };
    let text = ws
        .versions
        .iter()
        .find(|document| document.version == Some(version))
        .map(|document| document.body.clone())
        .unwrap_or_default();
    let name = |organization_id: Uuid| {
        ws.organizations
            .get(&organization_id)
            .map_or_else(String::new, |o| o.name.clone())
    };
    let parties = ws
        .partners
        .iter()
        .map(|partner| {
            let organization = ws.organizations.get(&partner.organization_id);
            PactParty {
                name: name(partner.organization_id),
                kind: organization.map(|o| o.kind),
                tax_code: organization
                    .and_then(|o| super::opendata::public_tax_code(o.tax_code.as_deref())),
                role: partner.role,
            }
        })
        .collect();
    let contributions = ws
        .contributions
        .iter()
        .filter(|c| c.status != ContributionStatus::Withdrawn)
        .map(|c| PactContribution {
            organization: name(c.organization_id),
            kind: c.kind,
            description: c.description.clone(),
            quantity: c.quantity.map(|q| quantity(q, c.unit.as_deref())),
            amount_cents: c.amount_cents,
        })
        .collect();
    let signed: Vec<_> = ws
        .approvals
        .iter()
        .filter(|a| {
            a.agreement_version == Some(version) && a.decision == ApprovalDecision::Approved
        })
        .collect();
    let people = store::accounts::by_ids(db, signed.iter().filter_map(|a| a.user_id)).await?;
    let approvals = signed
        .iter()
        .map(|a| PactApproval {
            person: a
                .user_id
                .and_then(|id| people.iter().find(|u| u.id == id))
                .map_or_else(String::new, |u| u.display_name.clone()),
            organization: name(a.organization_id),
            at: a.decided_at,
        })
        .collect();
    Ok(SignedPact {
        title: project.title.clone(),
        procedure: project.procedure,
        version: u32::try_from(version).unwrap_or_default(),
        signed_at,
        text,
        starts_on: None,
        ends_on: None,
        parties,
        contributions,
        approvals,
        hash,
    })
}

/// "120 ore", "1,5 m²": a quantity as the pact prints it (Italian decimal
/// comma; whole numbers without decimals).
fn quantity(value: f64, unit: Option<&str>) -> String {
    let number = if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value}").replace('.', ",")
    };
    match unit {
        Some(unit) if !unit.trim().is_empty() => format!("{number} {}", unit.trim()),
        _ => number,
    }
}

/// `patto-clean-up-lorenteggio.pdf`: the title in lower-case ASCII words
/// (Italian accents dropped from their letters).
fn file_name(title: &str) -> String {
    let words: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.chars()
                .map(|c| match c {
                    'à' | 'á' | 'À' => 'a',
                    'è' | 'é' | 'È' | 'É' => 'e',
                    'ì' | 'í' | 'Ì' => 'i',
                    'ò' | 'ó' | 'Ò' => 'o',
                    'ù' | 'ú' | 'Ù' => 'u',
                    other => other,
                })
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .take(8)
        .collect();
    format!("patto-{}.pdf", words.join("-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_read_as_in_italian() {
        assert_eq!(quantity(120.0, Some("ore")), "120 ore");
        assert_eq!(quantity(1.5, Some(" m² ")), "1,5 m²");
        assert_eq!(quantity(3.0, None), "3");
    }

    #[test]
    fn file_names_are_plain() {
        assert_eq!(
            file_name("Clean Up: le scale di via Odazio (Lorenteggio)"),
            "patto-clean-up-le-scale-di-via-odazio-lorenteggio.pdf"
        );
        assert_eq!(file_name("Città più bella"), "patto-citta-piu-bella.pdf");
    }
}
