//! Who takes part in a project and who may act for whom: the current
//! partners, the person acting (with the organisations they belong to),
//! and [`Who`], the actor a transition or an approval asks for.

use uuid::Uuid;

use super::rule::{Refused, Rule, refuse};
use crate::domain::{Lang, MembershipRole, PartnerRole};

/// A current partner of a project (partners who left are not passed in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partner {
    pub organization_id: Uuid,
    pub role: PartnerRole,
}

/// The person acting, as the rules need to see them: the organisations
/// they belong to and their role in each. The services build it from the
/// memberships of the signed-in user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    pub memberships: Vec<(Uuid, MembershipRole)>,
}

impl Actor {
    pub fn new(memberships: impl IntoIterator<Item = (Uuid, MembershipRole)>) -> Self {
        Self {
            memberships: memberships.into_iter().collect(),
        }
    }

    /// Whether the person is an admin of the organisation.
    pub fn is_admin_of(&self, organization_id: Uuid) -> bool {
        self.memberships
            .iter()
            .any(|(org, role)| *org == organization_id && *role == MembershipRole::Admin)
    }

    /// Whether the person belongs to the organisation, in any role.
    pub fn is_member_of(&self, organization_id: Uuid) -> bool {
        self.memberships
            .iter()
            .any(|(org, _)| *org == organization_id)
    }

    /// Acting for `organization_id`: fails with `codesign.admin_only` for a
    /// member who is not admin and with `outsider` for anyone else.
    fn admin_for(&self, organization_id: Uuid, outsider: Rule) -> Result<(), Refused> {
        if self.is_admin_of(organization_id) {
            Ok(())
        } else if self.is_member_of(organization_id) {
            refuse(Rule::AdminOnly)
        } else {
            refuse(outsider)
        }
    }

    /// Acting for `organization_id`, which must be a current partner:
    /// fails with `codesign.partner_only` when it is not one and with
    /// `codesign.admin_only` when the person is not its admin.
    pub fn check_acts_for_partner(
        &self,
        organization_id: Uuid,
        partners: &[Partner],
    ) -> Result<(), Refused> {
        if !partners
            .iter()
            .any(|p| p.organization_id == organization_id)
        {
            return refuse(Rule::PartnerOnly);
        }
        self.admin_for(organization_id, Rule::AdminOnly)
    }
}

/// The parties who may take an action, as a procedure's table names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// An admin of the lead organisation (capofila).
    LeadAdmin,
    /// An admin of the public body of the project: the administration
    /// that published the art. 55 notice, or the one that examines and
    /// signs a pact.
    PublicBodyAdmin,
    /// An admin of any current partner.
    PartnerAdmin,
}

impl Who {
    /// Who may act, as the workspace tells people ("what comes next, and
    /// who does it").
    pub const fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Self::LeadAdmin, Lang::It) => "Un amministratore del capofila",
            (Self::LeadAdmin, Lang::En) => "An administrator of the lead partner",
            (Self::PublicBodyAdmin, Lang::It) => "Un amministratore dell'ente pubblico",
            (Self::PublicBodyAdmin, Lang::En) => "An administrator of the public body",
            (Self::PartnerAdmin, Lang::It) => "Un amministratore di un partner",
            (Self::PartnerAdmin, Lang::En) => "An administrator of a partner",
        }
    }

    /// Whether the actor is who the rule asks for. Fails with
    /// `codesign.lead_only`, `codesign.public_body_only`,
    /// `codesign.public_body_missing` (no public body on the project) or
    /// `codesign.partner_only` for outsiders, and `codesign.admin_only`
    /// for members of the right organisation who are not its admins.
    pub fn check(
        self,
        actor: &Actor,
        lead: Uuid,
        public_body: Option<Uuid>,
        partners: &[Partner],
    ) -> Result<(), Refused> {
        match self {
            Self::LeadAdmin => actor.admin_for(lead, Rule::LeadOnly),
            Self::PublicBodyAdmin => match public_body {
                None => refuse(Rule::PublicBodyMissing),
                Some(body) => actor.admin_for(body, Rule::PublicBodyOnly),
            },
            Self::PartnerAdmin => {
                if partners
                    .iter()
                    .any(|p| actor.is_admin_of(p.organization_id))
                {
                    Ok(())
                } else if partners
                    .iter()
                    .any(|p| actor.is_member_of(p.organization_id))
                {
                    refuse(Rule::AdminOnly)
                } else {
                    refuse(Rule::PartnerOnly)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> (Uuid, Uuid, Uuid) {
        (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3))
    }

    fn partners(lead: Uuid, other: Uuid) -> Vec<Partner> {
        vec![
            Partner {
                organization_id: lead,
                role: PartnerRole::Lead,
            },
            Partner {
                organization_id: other,
                role: PartnerRole::Partner,
            },
        ]
    }

    #[test]
    fn who_reads_in_both_languages() {
        for who in [Who::LeadAdmin, Who::PublicBodyAdmin, Who::PartnerAdmin] {
            assert_ne!(who.label(Lang::It), who.label(Lang::En));
        }
        assert_eq!(
            Who::LeadAdmin.label(Lang::It),
            "Un amministratore del capofila"
        );
    }

    #[test]
    fn lead_admin() {
        let (lead, other, _) = ids();
        let partners = partners(lead, other);
        let admin = Actor::new([(lead, MembershipRole::Admin)]);
        assert_eq!(Who::LeadAdmin.check(&admin, lead, None, &partners), Ok(()));
        let member = Actor::new([(lead, MembershipRole::Member)]);
        assert_eq!(
            Who::LeadAdmin.check(&member, lead, None, &partners),
            Err(Rule::AdminOnly.into())
        );
        let partner_admin = Actor::new([(other, MembershipRole::Admin)]);
        assert_eq!(
            Who::LeadAdmin.check(&partner_admin, lead, None, &partners),
            Err(Rule::LeadOnly.into())
        );
        assert_eq!(
            Who::LeadAdmin.check(&Actor::default(), lead, None, &partners),
            Err(Rule::LeadOnly.into())
        );
    }

    #[test]
    fn public_body_admin() {
        let (lead, other, body) = ids();
        let partners = partners(lead, other);
        let admin = Actor::new([(body, MembershipRole::Admin)]);
        assert_eq!(
            Who::PublicBodyAdmin.check(&admin, lead, Some(body), &partners),
            Ok(())
        );
        assert_eq!(
            Who::PublicBodyAdmin.check(&admin, lead, None, &partners),
            Err(Rule::PublicBodyMissing.into())
        );
        let lead_admin = Actor::new([(lead, MembershipRole::Admin)]);
        assert_eq!(
            Who::PublicBodyAdmin.check(&lead_admin, lead, Some(body), &partners),
            Err(Rule::PublicBodyOnly.into())
        );
        let member = Actor::new([(body, MembershipRole::Member)]);
        assert_eq!(
            Who::PublicBodyAdmin.check(&member, lead, Some(body), &partners),
            Err(Rule::AdminOnly.into())
        );
    }

    #[test]
    fn partner_admin() {
        let (lead, other, outsider) = ids();
        let partners = partners(lead, other);
        let admin = Actor::new([(other, MembershipRole::Admin)]);
        assert_eq!(
            Who::PartnerAdmin.check(&admin, lead, None, &partners),
            Ok(())
        );
        let member = Actor::new([(other, MembershipRole::Member)]);
        assert_eq!(
            Who::PartnerAdmin.check(&member, lead, None, &partners),
            Err(Rule::AdminOnly.into())
        );
        let stranger = Actor::new([(outsider, MembershipRole::Admin)]);
        assert_eq!(
            Who::PartnerAdmin.check(&stranger, lead, None, &partners),
            Err(Rule::PartnerOnly.into())
        );
    }

    #[test]
    fn acting_for_a_partner() {
        let (lead, other, outsider) = ids();
        let partners = partners(lead, other);
        let admin = Actor::new([(other, MembershipRole::Admin)]);
        assert_eq!(admin.check_acts_for_partner(other, &partners), Ok(()));
        assert_eq!(
            admin.check_acts_for_partner(lead, &partners),
            Err(Rule::AdminOnly.into())
        );
        let outsider_admin = Actor::new([(outsider, MembershipRole::Admin)]);
        assert_eq!(
            outsider_admin.check_acts_for_partner(outsider, &partners),
            Err(Rule::PartnerOnly.into())
        );
    }
}
