//! Who may join a project, and in which role: under art. 55 only bodies
//! registered in RUNTS may be principal partners; a pact is open to any
//! organisation, citizens' groups included.
//!
//! The rule reads the organisation's kind and its `runts_registered` flag
//! (the organisation record's fields, as the registries import them):
//! a body is a registered third-sector body when both its kind is one of
//! the Code's ([`OrganizationKind::is_third_sector`]) and it is registered.

use uuid::Uuid;

use super::parties::Partner;
use super::procedure::{Activity, Procedure};
use super::rule::{Refused, Rule, refuse};
use crate::domain::{OrganizationKind, PartnerRole, ProjectProcedure, ProjectStage};

/// What the eligibility rule reads about an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub kind: OrganizationKind,
    /// Registered in RUNTS (Registro unico nazionale del Terzo settore).
    pub runts_registered: bool,
}

impl Candidate {
    /// A third-sector body (ETS) registered in RUNTS: both conditions of
    /// art. 55, since a registration flag on a kind outside the Code is a
    /// data error rather than a registration.
    pub const fn is_registered_third_sector(self) -> bool {
        self.runts_registered && self.kind.is_third_sector()
    }
}

/// The roles an organisation may hold under a procedure, in the order a
/// form offers them.
///
/// - Patto di collaborazione: any role, for any organisation (the
///   regulations on the commons open pacts to active citizens, single or
///   associated).
/// - Art. 55: lead and partner for registered third-sector bodies; the
///   public body that runs the procedure may also be the lead (it is the
///   *amministrazione procedente*, not an applicant); everyone else only
///   supporter or funder.
pub fn allowed_roles(procedure: ProjectProcedure, candidate: Candidate) -> &'static [PartnerRole] {
    const ALL: &[PartnerRole] = &[
        PartnerRole::Lead,
        PartnerRole::Partner,
        PartnerRole::Supporter,
        PartnerRole::Funder,
    ];
    const PUBLIC_LEAD: &[PartnerRole] = &[
        PartnerRole::Lead,
        PartnerRole::Supporter,
        PartnerRole::Funder,
    ];
    const SUPPORT: &[PartnerRole] = &[PartnerRole::Supporter, PartnerRole::Funder];
    match procedure {
        ProjectProcedure::PattoCollaborazione => ALL,
        ProjectProcedure::Coprogettazione if candidate.is_registered_third_sector() => ALL,
        ProjectProcedure::Coprogettazione if candidate.kind.is_public_body() => PUBLIC_LEAD,
        ProjectProcedure::Coprogettazione => SUPPORT,
    }
}

/// Whether the organisation may hold `role` under `procedure`; fails with
/// `codesign.principal_requires_runts` when art. 55 reserves the role to
/// registered third-sector bodies.
pub fn check_role(
    procedure: ProjectProcedure,
    role: PartnerRole,
    candidate: Candidate,
) -> Result<(), Refused> {
    if allowed_roles(procedure, candidate).contains(&role) {
        Ok(())
    } else {
        refuse(Rule::PrincipalRequiresRunts)
    }
}

/// Whether an organisation may join a project (accept an invitation,
/// be admitted after an application) in `role` now. Fails with
/// `codesign.stage_not_in_procedure`, `codesign.partners_frozen` outside
/// the stages where partners may join (never once the agreement is
/// signed; under art. 55 not before applications open),
/// `codesign.already_partner`, `codesign.one_lead` (a second lead), or
/// the rule of [`check_role`].
pub fn check_join(
    procedure: ProjectProcedure,
    stage: ProjectStage,
    partners: &[Partner],
    organization_id: Uuid,
    role: PartnerRole,
    candidate: Candidate,
) -> Result<(), Refused> {
    Procedure::of(procedure).check_activity(stage, Activity::JoinProject)?;
    if partners
        .iter()
        .any(|p| p.organization_id == organization_id)
    {
        return refuse(Rule::AlreadyPartner);
    }
    if role == PartnerRole::Lead && partners.iter().any(|p| p.role == PartnerRole::Lead) {
        return refuse(Rule::OneLead);
    }
    check_role(procedure, role, candidate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrganizationKind as K;
    use PartnerRole::{Funder, Lead, Supporter};
    use ProjectProcedure::*;

    fn candidate(kind: OrganizationKind, runts_registered: bool) -> Candidate {
        Candidate {
            kind,
            runts_registered,
        }
    }

    #[test]
    fn art55_principal_partners_are_registered_third_sector_bodies() {
        let registered = candidate(K::SocialCooperativeA, true);
        for role in PartnerRole::ALL {
            assert_eq!(check_role(Coprogettazione, *role, registered), Ok(()));
        }
        // A third-sector kind that is not (yet) registered, a housing
        // co-op, a bank, an informal group: supporters or funders only.
        for outsider in [
            candidate(K::Onlus, false),
            candidate(K::HousingCooperative, false),
            candidate(K::Bank, false),
            candidate(K::InformalGroup, false),
            // The flag on a kind outside the Code is not a registration.
            candidate(K::BankingFoundation, true),
        ] {
            for role in [Lead, PartnerRole::Partner] {
                assert_eq!(
                    check_role(Coprogettazione, role, outsider),
                    Err(Rule::PrincipalRequiresRunts.into()),
                    "{outsider:?} as {role}"
                );
            }
            assert_eq!(check_role(Coprogettazione, Supporter, outsider), Ok(()));
            assert_eq!(check_role(Coprogettazione, Funder, outsider), Ok(()));
        }
    }

    #[test]
    fn art55_public_body_may_lead_but_not_be_a_partner() {
        let municipality = candidate(K::Municipality, false);
        assert_eq!(check_role(Coprogettazione, Lead, municipality), Ok(()));
        assert_eq!(
            check_role(Coprogettazione, PartnerRole::Partner, municipality),
            Err(Rule::PrincipalRequiresRunts.into())
        );
        assert_eq!(check_role(Coprogettazione, Funder, municipality), Ok(()));
    }

    #[test]
    fn pacts_are_open_to_anyone() {
        for kind in K::ALL {
            for role in PartnerRole::ALL {
                assert_eq!(
                    check_role(PattoCollaborazione, *role, candidate(*kind, false)),
                    Ok(())
                );
            }
        }
    }

    #[test]
    fn joining() {
        use ProjectStage as S;
        use Rule as R;
        let lead = Uuid::from_u128(1);
        let newcomer = Uuid::from_u128(2);
        let partners = [Partner {
            organization_id: lead,
            role: Lead,
        }];
        let group = candidate(K::InformalGroup, false);
        let (patto, art55, partner) = (PattoCollaborazione, Coprogettazione, PartnerRole::Partner);
        // The rule that refuses `organization_id` joining in `role`, if any.
        let join = |procedure, stage, organization_id, role| {
            check_join(procedure, stage, &partners, organization_id, role, group)
                .map_err(|r| r.rule)
        };
        assert_eq!(join(patto, S::CodesignTable, newcomer, partner), Ok(()));
        assert_eq!(
            join(patto, S::Signed, newcomer, partner),
            Err(R::PartnersFrozen)
        );
        assert_eq!(
            join(art55, S::Delivery, newcomer, Supporter),
            Err(R::PartnersFrozen)
        );
        assert_eq!(
            join(patto, S::Review, lead, partner),
            Err(R::AlreadyPartner)
        );
        assert_eq!(join(patto, S::Review, newcomer, Lead), Err(R::OneLead));
        assert_eq!(
            join(art55, S::Applications, newcomer, partner),
            Err(R::PrincipalRequiresRunts)
        );
        assert_eq!(join(art55, S::Applications, newcomer, Supporter), Ok(()));
        assert_eq!(
            join(art55, S::Proposal, newcomer, Supporter),
            Err(R::StageNotInProcedure)
        );
    }
}
