//! The e-mails that accounts, memberships, matches and conversations send:
//! verification, password reset, invitations, partnership proposals, new
//! messages, and requests to join
//! or claim an organisation (to its admins, to its registered addresses, and
//! the decision to the requester). They are sent after the change is
//! committed; a failed send is logged and does not undo the change (the
//! person can ask for the link again; a proposal stays visible on the match).

use super::organization_requests::RequestView;
use crate::config::Settings;
use crate::domain::{Email, Lang, RequestKind, RequestStatus};
use crate::mail::{Mailer, OutgoingEmail, templates};
use crate::store::entities::users;

fn link(settings: &Settings, path: &str, token: &str) -> String {
    format!(
        "{}{path}?token={token}",
        settings.public_url.trim_end_matches('/')
    )
}

fn lang_of(user: &users::Model) -> Lang {
    user.locale
}

async fn deliver(
    mailer: &Mailer,
    to: &str,
    name: Option<&str>,
    rendered: templates::RenderedEmail,
    what: &str,
) {
    let Ok(address) = Email::parse(to) else {
        tracing::warn!(what, "not sent: the stored address is not valid");
        return;
    };
    let mut email = OutgoingEmail::new(address, rendered);
    if let Some(name) = name {
        email = email.to_name(name);
    }
    match mailer.send(email).await {
        Ok(id) => tracing::info!(what, message_id = %id, "e-mail sent"),
        Err(error) => tracing::warn!(what, %error, "e-mail not sent"),
    }
}

/// Sends the address-verification link.
pub async fn verification(mailer: &Mailer, settings: &Settings, user: &users::Model, token: &str) {
    let rendered = templates::verify_email(
        lang_of(user),
        &user.display_name,
        &link(settings, "/account/verify", token),
    );
    deliver(
        mailer,
        &user.email,
        Some(&user.display_name),
        rendered,
        "verify_email",
    )
    .await;
}

/// Sends the password-reset link.
pub async fn password_reset(
    mailer: &Mailer,
    settings: &Settings,
    user: &users::Model,
    token: &str,
) {
    let minutes = super::accounts::RESET_LINK_LIFETIME.num_minutes();
    let rendered = templates::reset_password(
        lang_of(user),
        &user.display_name,
        &link(settings, "/account/reset", token),
        u32::try_from(minutes).unwrap_or(60),
    );
    deliver(
        mailer,
        &user.email,
        Some(&user.display_name),
        rendered,
        "reset_password",
    )
    .await;
}

/// Sends an invitation to join an organisation, in the inviter's language.
pub async fn invitation(
    mailer: &Mailer,
    settings: &Settings,
    invited: &super::memberships::Invited,
) {
    let rendered = templates::invitation(
        lang_of(&invited.inviter),
        &invited.organization.name,
        &invited.inviter.display_name,
        &link(settings, "/invitations/accept", &invited.token),
    );
    deliver(
        mailer,
        &invited.invitation.email,
        None,
        rendered,
        "invitation",
    )
    .await;
}

/// Tells the people of the organisation asked that the other side of a
/// match proposes a partnership, each in their own language, with a link to
/// their side of the match (where they accept or dismiss it).
pub async fn partnership_proposed(
    mailer: &Mailer,
    settings: &Settings,
    proposal: &super::matches::PartnershipProposal,
) {
    use super::matches::MatchSide;
    let base = settings.public_url.trim_end_matches('/');
    let (asked, link) = match proposal.from {
        MatchSide::Offer => (
            templates::Asked::ForTheirNeed,
            format!("{base}/needs/{}", proposal.need.id),
        ),
        MatchSide::Need => (
            templates::Asked::ForTheirOffer,
            format!("{base}/offers/{}", proposal.offer.id),
        ),
    };
    let text = templates::ProposalText {
        organization: &proposal.recipient.name,
        proposer: &proposal.proposer.name,
        asked,
        need_title: &proposal.need.title,
        offer_title: &proposal.offer.title,
    };
    for user in &proposal.recipients {
        let rendered =
            templates::partnership_proposal(lang_of(user), &user.display_name, &text, &link);
        deliver(
            mailer,
            &user.email,
            Some(&user.display_name),
            rendered,
            "partnership_proposal",
        )
        .await;
    }
}

/// Tells each person of the other parties of a conversation, in their
/// language, of a new message, with the message and a link to where they
/// read and reply.
pub async fn new_message(
    mailer: &Mailer,
    settings: &Settings,
    notice: &super::conversations::MessageNotice,
) {
    use super::conversations::Topic;
    let about = match &notice.topic {
        Topic::Match {
            need_title,
            offer_title,
            ..
        } => templates::About::Match {
            need_title,
            offer_title,
        },
        Topic::Project { title, .. } => templates::About::Project { title },
    };
    for recipient in &notice.recipients {
        let user = &recipient.user;
        let text = templates::MessageText {
            organization: &recipient.organization,
            author: &notice.author_name,
            author_organization: &notice.author_organization,
            about,
            body: &notice.message.body,
        };
        let rendered = templates::new_message(
            lang_of(user),
            &user.display_name,
            &text,
            &page(settings, &recipient.path),
        );
        deliver(
            mailer,
            &user.email,
            Some(&user.display_name),
            rendered,
            "new_message",
        )
        .await;
    }
}

fn page(settings: &Settings, path: &str) -> String {
    format!("{}{path}", settings.public_url.trim_end_matches('/'))
}

/// Tells each admin of the organisation, in their language, that someone
/// asks to join it.
pub async fn join_request(
    mailer: &Mailer,
    settings: &Settings,
    admins: &[users::Model],
    view: &RequestView,
) {
    let link = page(
        settings,
        &format!("/organizations/{}/requests", view.organization.id),
    );
    for admin in admins {
        let rendered = templates::join_request(
            lang_of(admin),
            &admin.display_name,
            &view.organization.name,
            &view.requester.display_name,
            &view.requester.email,
            view.request.message.as_deref(),
            &link,
        );
        deliver(
            mailer,
            &admin.email,
            Some(&admin.display_name),
            rendered,
            "join_request",
        )
        .await;
    }
}

/// Sends a claim's confirmation link to each registered address of the
/// organisation, in Italian (an organisation's address has no language of
/// its own, and Trama's organisations are Italian).
pub async fn claim_confirmation(
    mailer: &Mailer,
    settings: &Settings,
    view: &RequestView,
    token: &str,
) {
    let days = super::organization_requests::CONFIRMATION_LIFETIME.num_days();
    let rendered = templates::claim_confirmation(
        Lang::It,
        &view.organization.name,
        &view.requester.display_name,
        &view.requester.email,
        &link(settings, "/organizations/claims/confirm", token),
        u32::try_from(days).unwrap_or(14),
    );
    for address in view.confirmation_sent_to() {
        deliver(
            mailer,
            &address,
            None,
            rendered.clone(),
            "claim_confirmation",
        )
        .await;
    }
}

/// Tells the requester, in their language, how their request was decided.
pub async fn request_decided(mailer: &Mailer, settings: &Settings, view: &RequestView) {
    let approved = view.status() == RequestStatus::Approved;
    let as_admin = view.kind() == RequestKind::Claim;
    let rendered = templates::request_decided(
        lang_of(&view.requester),
        &view.requester.display_name,
        &view.organization.name,
        approved,
        as_admin,
        view.request.decline_reason.as_deref(),
        &page(
            settings,
            &format!("/organizations/{}", view.organization.id),
        ),
    );
    deliver(
        mailer,
        &view.requester.email,
        Some(&view.requester.display_name),
        rendered,
        "request_decided",
    )
    .await;
}
