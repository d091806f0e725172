//! The agreement's text as a state machine: numbered versions, one
//! approval per partner and version, signing when every current partner
//! approved the latest version, and the frozen signed version with its
//! SHA-256 content hash.
//!
//! Rules:
//! - every change of the text makes a new version (numbered from 1), so
//!   the history shows what each approval was given to; a change after
//!   an approval therefore clears the approvals (they stay on the old
//!   version and no longer count: [`Written::cleared`] lists them for the
//!   audit and the notifications);
//! - only the latest version can be approved, by an admin of a current
//!   partner, once per organisation;
//! - the agreement is signed when every current partner (whatever its
//!   role) approved the latest version; then nothing changes any more.
//!
//! # The content hash
//!
//! [`canonical_text`] writes, in UTF-8 with `\n` line ends:
//!
//! ```text
//! trama-agreement/1
//! version: <number>
//! parties:
//! <organisation uuid> <role>        one line per current partner, sorted by uuid
//! text:
//! <the text>
//! ```
//!
//! where the uuids are lowercase and hyphenated, the role is the stored
//! value (`lead`, `partner`, `supporter`, `funder`) and the text is
//! [`normalise_text`]'s: `\r\n` and `\r` become `\n`, spaces and tabs at
//! the end of each line are dropped, blank lines at the start and the end
//! are dropped, and one `\n` ends it. The hash is the SHA-256 of those
//! bytes in lowercase hex. Anyone holding the text, the version number and
//! the parties can recompute it; who approved and when are recorded beside
//! it (not hashed, so the hash names *what* was agreed and between whom).

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::parties::{Actor, Partner};
use super::rule::{Refused, Rule, refuse};

/// One version of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub number: u32,
    /// Normalised by [`normalise_text`].
    pub text: String,
    pub author: Uuid,
    pub created_at: DateTime<Utc>,
}

/// A partner's approval of one version, given by one of its admins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub version: u32,
    pub organization_id: Uuid,
    pub user_id: Uuid,
    pub at: DateTime<Utc>,
}

/// The signed, frozen version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub version: u32,
    /// SHA-256 of [`canonical_text`], lowercase hex.
    pub content_hash: String,
    pub signed_at: DateTime<Utc>,
    /// The approvals of the signed version, in the order they were given.
    pub approvals: Vec<Approval>,
}

/// What [`Agreement::write`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// The text is the latest version's: nothing to store.
    Unchanged,
    /// A new version to store; `cleared` are the approvals of the previous
    /// version that no longer count.
    NewVersion { number: u32, cleared: Vec<Approval> },
}

impl Written {
    pub fn cleared(&self) -> &[Approval] {
        match self {
            Self::Unchanged => &[],
            Self::NewVersion { cleared, .. } => cleared,
        }
    }
}

/// A project's agreement: its versions, the approvals of its latest
/// version and, once signed, its signature.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Agreement {
    versions: Vec<Version>,
    approvals: Vec<Approval>,
    signature: Option<Signature>,
}

impl Agreement {
    /// An agreement with no text yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuilds the agreement from what the store holds. Versions are put
    /// in order; approvals of versions other than the latest are dropped
    /// (a later version cleared them).
    pub fn from_parts(
        mut versions: Vec<Version>,
        approvals: Vec<Approval>,
        signature: Option<Signature>,
    ) -> Self {
        versions.sort_by_key(|v| v.number);
        let latest = versions.last().map(|v| v.number);
        let approvals = approvals
            .into_iter()
            .filter(|a| Some(a.version) == latest)
            .collect();
        Self {
            versions,
            approvals,
            signature,
        }
    }

    pub fn versions(&self) -> &[Version] {
        &self.versions
    }

    pub fn latest(&self) -> Option<&Version> {
        self.versions.last()
    }

    /// The approvals of the latest version.
    pub fn approvals(&self) -> &[Approval] {
        &self.approvals
    }

    pub fn signature(&self) -> Option<&Signature> {
        self.signature.as_ref()
    }

    pub fn is_signed(&self) -> bool {
        self.signature.is_some()
    }

    /// Writes a text. Fails with `codesign.agreement_frozen` once signed
    /// and `codesign.agreement_empty` for a blank text; an identical text
    /// changes nothing; any other makes a new version.
    pub fn write(
        &mut self,
        text: &str,
        author: Uuid,
        at: DateTime<Utc>,
    ) -> Result<Written, Refused> {
        if self.is_signed() {
            return refuse(Rule::AgreementFrozen);
        }
        let text = normalise_text(text);
        if text.trim().is_empty() {
            return refuse(Rule::AgreementEmpty);
        }
        if self.latest().is_some_and(|v| v.text == text) {
            return Ok(Written::Unchanged);
        }
        let number = self.latest().map_or(1, |v| v.number + 1);
        self.versions.push(Version {
            number,
            text,
            author,
            created_at: at,
        });
        let cleared = std::mem::take(&mut self.approvals);
        Ok(Written::NewVersion { number, cleared })
    }

    /// Records `organization_id`'s approval of `version`, given by
    /// `actor` (user `user_id`). Fails with `codesign.agreement_frozen`
    /// once signed, `codesign.agreement_missing` (no text),
    /// `codesign.unknown_version`, `codesign.approval_stale_version` (not
    /// the latest), `codesign.partner_only` / `codesign.admin_only` (see
    /// [`Actor::check_acts_for_partner`]) or `codesign.already_approved`.
    pub fn approve(
        &mut self,
        version: u32,
        organization_id: Uuid,
        actor: &Actor,
        user_id: Uuid,
        partners: &[Partner],
        at: DateTime<Utc>,
    ) -> Result<Approval, Refused> {
        if self.is_signed() {
            return refuse(Rule::AgreementFrozen);
        }
        let Some(latest) = self.latest() else {
            return refuse(Rule::AgreementMissing);
        };
        if version != latest.number {
            return if self.versions.iter().any(|v| v.number == version) {
                refuse(Rule::ApprovalStaleVersion)
            } else {
                refuse(Rule::UnknownVersion)
            };
        }
        actor.check_acts_for_partner(organization_id, partners)?;
        if self
            .approvals
            .iter()
            .any(|a| a.organization_id == organization_id)
        {
            return refuse(Rule::AlreadyApproved);
        }
        let approval = Approval {
            version,
            organization_id,
            user_id,
            at,
        };
        self.approvals.push(approval.clone());
        Ok(approval)
    }

    /// The current partners that have not approved the latest version
    /// (all of them when there is no text), in the partners' order.
    pub fn missing_approvals(&self, partners: &[Partner]) -> Vec<Uuid> {
        partners
            .iter()
            .map(|p| p.organization_id)
            .filter(|org| {
                self.latest().is_none() || !self.approvals.iter().any(|a| a.organization_id == *org)
            })
            .collect()
    }

    /// Whether every current partner approved the latest version (and
    /// there are partners and a text).
    pub fn approved_by_all(&self, partners: &[Partner]) -> bool {
        self.latest().is_some()
            && !partners.is_empty()
            && self.missing_approvals(partners).is_empty()
    }

    /// Signs the latest version: freezes it with its content hash and its
    /// approvals. Fails with `codesign.agreement_frozen` (already signed),
    /// `codesign.agreement_missing` (no text) or `codesign.approvals_missing`.
    pub fn sign(&mut self, partners: &[Partner], at: DateTime<Utc>) -> Result<&Signature, Refused> {
        if self.is_signed() {
            return refuse(Rule::AgreementFrozen);
        }
        let Some(latest) = self.latest() else {
            return refuse(Rule::AgreementMissing);
        };
        if !self.approved_by_all(partners) {
            return refuse(Rule::ApprovalsMissing);
        }
        let signature = Signature {
            version: latest.number,
            content_hash: content_hash(latest.number, partners, &latest.text),
            signed_at: at,
            approvals: self.approvals.clone(),
        };
        Ok(self.signature.insert(signature))
    }
}

/// The text as versions store it and the hash reads it: `\n` line ends,
/// no trailing spaces or tabs on a line, no blank lines at either end,
/// one final `\n` (empty for a blank text).
pub fn normalise_text(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = text
        .split('\n')
        .map(|line| line.trim_end_matches([' ', '\t']))
        .collect();
    let start = lines.iter().position(|l| !l.is_empty());
    let end = lines.iter().rposition(|l| !l.is_empty());
    match (start, end) {
        (Some(start), Some(end)) => {
            let mut out = lines[start..=end].join("\n");
            out.push('\n');
            out
        }
        _ => String::new(),
    }
}

/// The canonical text the content hash is computed over (see the module
/// docs).
pub fn canonical_text(version: u32, partners: &[Partner], text: &str) -> String {
    let mut parties: Vec<&Partner> = partners.iter().collect();
    parties.sort_by_key(|p| p.organization_id);
    let mut out = format!("trama-agreement/1\nversion: {version}\nparties:\n");
    for party in parties {
        out.push_str(&format!(
            "{} {}\n",
            party.organization_id.hyphenated(),
            party.role.as_str()
        ));
    }
    out.push_str("text:\n");
    out.push_str(&normalise_text(text));
    out
}

/// SHA-256 of [`canonical_text`], lowercase hex.
pub fn content_hash(version: u32, partners: &[Partner], text: &str) -> String {
    Sha256::digest(canonical_text(version, partners, text).as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{MembershipRole, PartnerRole};

    const ALER: Uuid = Uuid::from_u128(0xa1);
    const ONLUS: Uuid = Uuid::from_u128(0xb2);
    const TENANTS: Uuid = Uuid::from_u128(0xc3);
    const USER: Uuid = Uuid::from_u128(0xff);

    fn at(minute: u32) -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000 + i64::from(minute) * 60, 0).expect("valid time")
    }

    fn partners() -> Vec<Partner> {
        vec![
            Partner {
                organization_id: ALER,
                role: PartnerRole::Lead,
            },
            Partner {
                organization_id: ONLUS,
                role: PartnerRole::Partner,
            },
            Partner {
                organization_id: TENANTS,
                role: PartnerRole::Partner,
            },
        ]
    }

    fn admin_of(org: Uuid) -> Actor {
        Actor::new([(org, MembershipRole::Admin)])
    }

    fn approve(agreement: &mut Agreement, version: u32, org: Uuid) -> Result<Approval, Refused> {
        agreement.approve(version, org, &admin_of(org), USER, &partners(), at(5))
    }

    #[test]
    fn versions_are_numbered_and_identical_text_changes_nothing() {
        let mut agreement = Agreement::new();
        assert_eq!(
            agreement.write("Cura delle scale", USER, at(0)),
            Ok(Written::NewVersion {
                number: 1,
                cleared: vec![]
            })
        );
        assert_eq!(
            agreement.write("Cura delle scale  \r\n\r\n", USER, at(1)),
            Ok(Written::Unchanged)
        );
        assert!(matches!(
            agreement.write("Cura delle scale di via Odazio", USER, at(2)),
            Ok(Written::NewVersion { number: 2, .. })
        ));
        assert_eq!(agreement.versions().len(), 2);
        assert_eq!(agreement.latest().map(|v| v.number), Some(2));
    }

    #[test]
    fn blank_text_is_refused() {
        let mut agreement = Agreement::new();
        assert_eq!(
            agreement.write(" \n\t\n", USER, at(0)),
            Err(Rule::AgreementEmpty.into())
        );
    }

    #[test]
    fn a_change_after_an_approval_makes_a_new_version_and_clears_approvals() {
        let mut agreement = Agreement::new();
        agreement.write("v1", USER, at(0)).expect("written");
        let approval = approve(&mut agreement, 1, ONLUS).expect("approved");
        let written = agreement.write("v2", USER, at(6)).expect("written");
        assert_eq!(
            written,
            Written::NewVersion {
                number: 2,
                cleared: vec![approval]
            }
        );
        assert_eq!(written.cleared().len(), 1);
        assert!(agreement.approvals().is_empty());
        assert_eq!(
            agreement.missing_approvals(&partners()),
            [ALER, ONLUS, TENANTS]
        );
        // The old version can no longer be approved.
        assert_eq!(
            approve(&mut agreement, 1, TENANTS),
            Err(Rule::ApprovalStaleVersion.into())
        );
        assert_eq!(
            approve(&mut agreement, 7, TENANTS),
            Err(Rule::UnknownVersion.into())
        );
    }

    #[test]
    fn approval_rules() {
        let mut agreement = Agreement::new();
        assert_eq!(
            approve(&mut agreement, 1, ALER),
            Err(Rule::AgreementMissing.into())
        );
        agreement.write("testo", USER, at(0)).expect("written");
        approve(&mut agreement, 1, ALER).expect("approved");
        assert_eq!(
            approve(&mut agreement, 1, ALER),
            Err(Rule::AlreadyApproved.into())
        );
        // A member who is not admin, an admin of another partner, an outsider.
        let member = Actor::new([(ONLUS, MembershipRole::Member)]);
        assert_eq!(
            agreement.approve(1, ONLUS, &member, USER, &partners(), at(1)),
            Err(Rule::AdminOnly.into())
        );
        assert_eq!(
            agreement.approve(1, ONLUS, &admin_of(TENANTS), USER, &partners(), at(1)),
            Err(Rule::AdminOnly.into())
        );
        let outsider = Uuid::from_u128(0xdd);
        assert_eq!(
            agreement.approve(1, outsider, &admin_of(outsider), USER, &partners(), at(1)),
            Err(Rule::PartnerOnly.into())
        );
    }

    #[test]
    fn signed_only_when_every_partner_approved_the_latest_version() {
        let mut agreement = Agreement::new();
        assert_eq!(
            agreement.sign(&partners(), at(0)).map(|s| s.version),
            Err(Rule::AgreementMissing.into())
        );
        agreement.write("testo", USER, at(0)).expect("written");
        approve(&mut agreement, 1, ALER).expect("approved");
        approve(&mut agreement, 1, ONLUS).expect("approved");
        assert!(!agreement.approved_by_all(&partners()));
        assert_eq!(agreement.missing_approvals(&partners()), [TENANTS]);
        assert_eq!(
            agreement.sign(&partners(), at(9)).map(|s| s.version),
            Err(Rule::ApprovalsMissing.into())
        );
        approve(&mut agreement, 1, TENANTS).expect("approved");
        assert!(agreement.approved_by_all(&partners()));
        let signature = agreement.sign(&partners(), at(9)).expect("signed").clone();
        assert_eq!(signature.version, 1);
        assert_eq!(signature.approvals.len(), 3);
        assert_eq!(signature.signed_at, at(9));
        assert_eq!(
            signature.content_hash,
            content_hash(1, &partners(), "testo")
        );
        // Frozen.
        assert_eq!(
            agreement.write("altro", USER, at(10)),
            Err(Rule::AgreementFrozen.into())
        );
        assert_eq!(
            approve(&mut agreement, 1, ALER),
            Err(Rule::AgreementFrozen.into())
        );
        assert_eq!(
            agreement.sign(&partners(), at(11)).map(|s| s.version),
            Err(Rule::AgreementFrozen.into())
        );
    }

    #[test]
    fn a_new_partner_must_approve_too() {
        let mut agreement = Agreement::new();
        agreement.write("testo", USER, at(0)).expect("written");
        for org in [ALER, ONLUS, TENANTS] {
            approve(&mut agreement, 1, org).expect("approved");
        }
        let mut more = partners();
        let funder = Uuid::from_u128(0xee);
        more.push(Partner {
            organization_id: funder,
            role: PartnerRole::Funder,
        });
        assert_eq!(agreement.missing_approvals(&more), [funder]);
        assert!(!agreement.approved_by_all(&[]));
    }

    #[test]
    fn restoring_drops_approvals_of_older_versions() {
        let version = |number| Version {
            number,
            text: format!("v{number}\n"),
            author: USER,
            created_at: at(number),
        };
        let approval = |version, organization_id| Approval {
            version,
            organization_id,
            user_id: USER,
            at: at(3),
        };
        let agreement = Agreement::from_parts(
            vec![version(2), version(1)],
            vec![approval(1, ALER), approval(2, ONLUS)],
            None,
        );
        assert_eq!(agreement.latest().map(|v| v.number), Some(2));
        assert_eq!(agreement.approvals(), [approval(2, ONLUS)]);
    }

    #[test]
    fn canonical_text_and_hash_are_documented_and_stable() {
        assert_eq!(normalise_text("\r\n  \na  \r\n  b\t\r\n\n"), "a\n  b\n");
        assert_eq!(normalise_text("a\rb"), "a\nb\n");
        assert_eq!(normalise_text("  \n "), "");
        let canonical = canonical_text(2, &partners(), "Cura delle scale \r\n");
        assert_eq!(
            canonical,
            "trama-agreement/1\nversion: 2\nparties:\n\
             00000000-0000-0000-0000-0000000000a1 lead\n\
             00000000-0000-0000-0000-0000000000b2 partner\n\
             00000000-0000-0000-0000-0000000000c3 partner\n\
             text:\nCura delle scale\n"
        );
        // The order partners are given in does not matter.
        let mut reversed = partners();
        reversed.reverse();
        assert_eq!(canonical_text(2, &reversed, "Cura delle scale"), canonical);
        // SHA-256 of "abc" checks the encoding against the standard vector.
        assert_eq!(
            Sha256::digest(b"abc")
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let hash = content_hash(2, &partners(), "Cura delle scale");
        assert_eq!(hash.len(), 64);
        assert!(
            hash.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_ne!(hash, content_hash(3, &partners(), "Cura delle scale"));
        assert_ne!(hash, content_hash(2, &partners()[..2], "Cura delle scale"));
        assert_ne!(hash, content_hash(2, &partners(), "Cura delle scale!"));
    }
}
