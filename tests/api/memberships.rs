//! Members of an organisation under pressure, on both databases: two admins
//! racing to demote, remove or leave each other (or to delete their
//! accounts) always leave an admin, and an invitation can only be accepted by
//! the account whose verified address it was sent to.

use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, Set};
use serde_json::{Value, json};
use trama::domain::{Lang, MembershipRole, OrganizationInput};
use trama::services::{Actor, accounts, organizations};
use trama::store::entities::memberships;
use uuid::Uuid;

use crate::helpers::{
    Backend, PASSWORD, TestApp, count_where, gql, gql_ok, gql_refused, gql_via, memberships_of,
    outcome, signed_up, token_from_mail,
};
use crate::on_both_databases;

on_both_databases!(
    concurrent_demotions_and_departures_leave_an_admin,
    concurrent_account_deletions_leave_an_admin,
    an_invitation_is_accepted_only_by_the_invited_address,
);

/// A verified, signed-in account made through the services (the races are
/// what goes through the API): (id, bearer token).
pub async fn account(app: &TestApp, email: &str) -> (Uuid, String) {
    let (registered, token) = signed_up(app, email, "Persona di prova", Lang::It, true).await;
    (registered.user.id, token)
}

/// A new informal group with no members (as the import and the demo make them).
pub async fn organisation(app: &TestApp, name: &str) -> Uuid {
    let input = OrganizationInput {
        name: name.to_owned(),
        kind: "informal_group".to_owned(),
        description: "Un gruppo di vicini di casa.".to_owned(),
        ..OrganizationInput::default()
    };
    organizations::create(app.db(), &Actor::system("test"), &input, None)
        .await
        .expect("organisation")
        .id
}

/// Puts `user` into `org` with `role` directly (setup, not under test).
pub async fn add_member(app: &TestApp, org: Uuid, user: Uuid, role: &str) {
    let now = chrono::Utc::now();
    memberships::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user),
        organization_id: Set(org),
        role: Set(MembershipRole::parse(role).expect("a membership role")),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(app.db())
    .await
    .expect("membership");
}

/// A verified, signed-in account (`email`) that is the only member, as
/// admin, of a new informal group named `organisation_name`: (its bearer
/// token, the group's id).
async fn sole_admin(app: &TestApp, email: &str, organisation_name: &str) -> (String, Uuid) {
    let (admin, token) = account(app, email).await;
    let org = organisation(app, organisation_name).await;
    add_member(app, org, admin, "admin").await;
    (token, org)
}

pub async fn admin_count(app: &TestApp, org: Uuid) -> u64 {
    count_where::<memberships::Entity>(
        app.db(),
        Condition::all()
            .add(memberships::Column::OrganizationId.eq(org))
            .add(memberships::Column::Role.eq("admin")),
    )
    .await
}

const CHANGE_ROLE: &str = "mutation($o: ID!, $u: ID!) { changeMemberRole(organizationId: $o, userId: $u, role: MEMBER) { role } }";
const REMOVE: &str = "mutation($o: ID!, $u: ID!) { removeMember(organizationId: $o, userId: $u) }";
const DELETE_ACCOUNT: &str = "mutation($p: String!) { deleteMyAccount(password: $p) }";

/// The two ways each admin of a pair can try to leave the other alone.
#[derive(Clone, Copy, Debug)]
enum Race {
    /// Each demotes the other.
    DemoteEachOther,
    /// Each removes themselves.
    BothLeave,
    /// Each removes the other.
    RemoveEachOther,
}

async fn concurrent_demotions_and_departures_leave_an_admin(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (a, a_token) = account(&app, "prima.admin@example.org").await;
    let (b, b_token) = account(&app, "seconda.admin@example.org").await;
    let (m, _) = account(&app, "socio@example.org").await;
    let races = [
        (Race::DemoteEachOther, 50),
        (Race::BothLeave, 50),
        (Race::RemoveEachOther, 20),
    ];
    for (race, trials) in races {
        for trial in 0..trials {
            let org = organisation(&app, &format!("Vicini {race:?} {trial}")).await;
            add_member(&app, org, a, "admin").await;
            add_member(&app, org, b, "admin").await;
            add_member(&app, org, m, "member").await;
            let (query, a_target, b_target) = match race {
                Race::DemoteEachOther => (CHANGE_ROLE, b, a),
                Race::BothLeave => (REMOVE, a, b),
                Race::RemoveEachOther => (REMOVE, b, a),
            };
            let (first, second) = tokio::join!(
                gql(
                    &app,
                    Some(&a_token),
                    query,
                    json!({ "o": org.to_string(), "u": a_target.to_string() })
                ),
                gql(
                    &app,
                    Some(&b_token),
                    query,
                    json!({ "o": org.to_string(), "u": b_target.to_string() })
                ),
            );
            let admins = admin_count(&app, org).await;
            assert_eq!(
                admins, 1,
                "{race:?}, trial {trial}: the organisation has {admins} admins\n{first}\n{second}"
            );
            let outcomes = [outcome(&first), outcome(&second)];
            assert!(
                outcomes.contains(&"OK".to_owned()),
                "{race:?}, trial {trial}: one of the two goes through: {outcomes:?}"
            );
            assert!(
                outcomes
                    .iter()
                    .any(|o| o == "CONFLICT" || o == "FORBIDDEN" || o == "NOT_FOUND"),
                "{race:?}, trial {trial}: the other is refused: {outcomes:?}"
            );
        }
    }
    app.stop().await;
}

async fn concurrent_account_deletions_leave_an_admin(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (m, _) = account(&app, "socio@example.org").await;
    for trial in 0..10 {
        let (a, a_token) = account(&app, &format!("prima.{trial}@example.org")).await;
        let (b, b_token) = account(&app, &format!("seconda.{trial}@example.org")).await;
        let org = organisation(&app, &format!("Vicini {trial}")).await;
        add_member(&app, org, a, "admin").await;
        add_member(&app, org, b, "admin").await;
        add_member(&app, org, m, "member").await;
        let (first, second) = tokio::join!(
            gql(
                &app,
                Some(&a_token),
                DELETE_ACCOUNT,
                json!({ "p": PASSWORD })
            ),
            gql(
                &app,
                Some(&b_token),
                DELETE_ACCOUNT,
                json!({ "p": PASSWORD })
            ),
        );
        let admins = admin_count(&app, org).await;
        assert_eq!(
            admins, 1,
            "trial {trial}: the organisation has {admins} admins\n{first}\n{second}"
        );
        let mut outcomes = [outcome(&first), outcome(&second)];
        outcomes.sort();
        assert_eq!(
            outcomes,
            ["CONFLICT".to_owned(), "OK".to_owned()],
            "trial {trial}: {first}\n{second}"
        );
        let refused = if outcome(&first) == "CONFLICT" {
            &first
        } else {
            &second
        };
        // The refusal says why and names the organisation to hand over.
        assert_eq!(
            refused["errors"][0]["extensions"]["organizationId"],
            org.to_string(),
            "{refused}"
        );
        let message = refused["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("amministratore") && message.contains(&format!("Vicini {trial}")),
            "{message}"
        );
    }
    // The sole member of an organisation may still delete their account: the
    // organisation stays, without members, and can be claimed again.
    let (alone_token, _) = sole_admin(&app, "da.solo@example.org", "Gruppo di una persona").await;
    gql_ok(
        &app,
        Some(&alone_token),
        DELETE_ACCOUNT,
        json!({ "p": PASSWORD }),
    )
    .await;
    app.stop().await;
}

const INVITE: &str = "mutation($o: ID!, $e: String!) { inviteMember(organizationId: $o, email: $e, role: MEMBER) { id } }";
const ACCEPT: &str =
    "mutation($t: String!) { acceptInvitation(token: $t) { role organization { id } } }";

pub fn message_and_code(body: &Value) -> (String, String) {
    (
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        outcome(body),
    )
}

async fn an_invitation_is_accepted_only_by_the_invited_address(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (admin_token, org) = sole_admin(&app, "admin@example.org", "Portinerie di Comunità").await;
    // The invitation goes to Carla; the address is written with capitals.
    gql_ok(
        &app,
        Some(&admin_token),
        INVITE,
        json!({ "o": org.to_string(), "e": "Carla.Verdi@Example.org" }),
    )
    .await;
    let link = token_from_mail(&app, "carla.verdi@example.org", "/invitations/accept");
    let invitation = json!({ "t": link });

    // Someone else who got hold of the link cannot use it.
    let (_, intruder) = account(&app, "qualcun.altro@example.org").await;
    let body = gql(&app, Some(&intruder), ACCEPT, invitation.clone()).await;
    let (message, code) = message_and_code(&body);
    assert_eq!(code, "FORBIDDEN", "{body}");
    assert!(
        message.contains("carla.verdi@example.org") || message.contains("indirizzo"),
        "the refusal says why: {message}"
    );
    assert!(message.contains("invito"), "{message}");
    let english = gql_via(
        &app.client,
        &app,
        Some(&intruder),
        Some("en"),
        ACCEPT,
        invitation.clone(),
    )
    .await;
    let (message, code) = message_and_code(&english);
    assert_eq!(code, "FORBIDDEN", "{english}");
    assert!(message.contains("invitation"), "{message}");

    // An account with the invited address that is not yet verified cannot
    // use it either: the address is not proven.
    let (registered, carla) = signed_up(
        &app,
        "carla.verdi@example.org",
        "Carla Verdi",
        Lang::It,
        false,
    )
    .await;
    gql_refused(&app, Some(&carla), ACCEPT, invitation.clone(), "FORBIDDEN").await;

    // Once verified, Carla accepts: the invitation stayed valid for her.
    accounts::verify_email(app.db(), &registered.verification_token)
        .await
        .expect("verify");
    let body = gql_ok(&app, Some(&carla), ACCEPT, invitation).await;
    assert_eq!(
        body["data"]["acceptInvitation"]["organization"]["id"],
        org.to_string()
    );
    // The intruder is not a member.
    assert_eq!(memberships_of(&app, &intruder).await, json!([]));
    app.stop().await;
}
