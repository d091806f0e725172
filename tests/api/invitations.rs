//! Waiting invitations, on both databases: an organisation's admins list
//! the invitations nobody has answered yet and revoke one, whose link then
//! stops working; members and outsiders cannot; the revocation is audited.

use serde_json::json;

use crate::helpers::{Backend, TestApp, audit_rows, gql, outcome, token_from_mail};
use crate::memberships::{account, add_member, organisation};
use crate::on_both_databases;

on_both_databases!(admins_list_and_revoke_waiting_invitations);

const INVITE: &str = "mutation($o: ID!, $e: String!, $r: MembershipRole!) { inviteMember(organizationId: $o, email: $e, role: $r) { id } }";
const PENDING: &str =
    "query($o: ID!) { organizationInvitations(organizationId: $o) { id email role expiresAt } }";
const REVOKE: &str = "mutation($id: ID!) { revokeInvitation(id: $id) }";
const ACCEPT: &str = "mutation($t: String!) { acceptInvitation(token: $t) { role } }";

async fn admins_list_and_revoke_waiting_invitations(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (admin, admin_token) = account(&app, "admin@example.org").await;
    let (member, member_token) = account(&app, "socia@example.org").await;
    let (_, outsider) = account(&app, "esterno@example.org").await;
    let org = organisation(&app, "Portinerie di Comunità").await;
    add_member(&app, org, admin, "admin").await;
    add_member(&app, org, member, "member").await;
    let o = org.to_string();
    for (email, role) in [
        ("carla@example.org", "MEMBER"),
        ("dario@example.org", "ADMIN"),
    ] {
        let body = gql(
            &app,
            Some(&admin_token),
            INVITE,
            json!({ "o": o, "e": email, "r": role }),
        )
        .await;
        assert_eq!(outcome(&body), "OK", "{body}");
    }

    // The admins see both, newest first; nobody else does.
    let body = gql(&app, Some(&admin_token), PENDING, json!({ "o": o })).await;
    assert_eq!(outcome(&body), "OK", "{body}");
    let pending = body["data"]["organizationInvitations"]
        .as_array()
        .expect("list")
        .clone();
    let emails: Vec<&str> = pending.iter().filter_map(|i| i["email"].as_str()).collect();
    assert_eq!(emails, ["dario@example.org", "carla@example.org"]);
    assert_eq!(pending[0]["role"], "ADMIN");
    for (token, code) in [
        (None, "UNAUTHENTICATED"),
        (Some(member_token.as_str()), "FORBIDDEN"),
        (Some(outsider.as_str()), "FORBIDDEN"),
    ] {
        let body = gql(&app, token, PENDING, json!({ "o": o })).await;
        assert_eq!(outcome(&body), code, "{body}");
    }

    // Revoking: not by a member; by an admin, once.
    let carla = pending[1]["id"].clone();
    let body = gql(&app, Some(&member_token), REVOKE, json!({ "id": carla })).await;
    assert_eq!(outcome(&body), "FORBIDDEN", "{body}");
    let body = gql(&app, Some(&admin_token), REVOKE, json!({ "id": carla })).await;
    assert_eq!(outcome(&body), "OK", "{body}");
    assert_eq!(body["data"]["revokeInvitation"], true);
    let body = gql(&app, Some(&admin_token), REVOKE, json!({ "id": carla })).await;
    assert_eq!(outcome(&body), "CONFLICT", "{body}");
    let body = gql(
        &app,
        Some(&admin_token),
        REVOKE,
        json!({ "id": uuid::Uuid::now_v7().to_string() }),
    )
    .await;
    assert_eq!(outcome(&body), "NOT_FOUND", "{body}");
    let body = gql(&app, Some(&admin_token), PENDING, json!({ "o": o })).await;
    let emails: Vec<&str> = body["data"]["organizationInvitations"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|i| i["email"].as_str())
        .collect();
    assert_eq!(emails, ["dario@example.org"]);

    // The revoked link no longer works, even for the invited address.
    let link = token_from_mail(&app, "carla@example.org", "/invitations/accept");
    let (_, carla_token) = account(&app, "carla@example.org").await;
    let body = gql(&app, Some(&carla_token), ACCEPT, json!({ "t": link })).await;
    assert_eq!(outcome(&body), "BAD_USER_INPUT", "{body}");

    let trail = audit_rows(&app).await;
    assert!(
        trail
            .iter()
            .any(|row| row.action == "membership.revoke_invitation"
                && row.changes["email"] == "carla@example.org"),
        "the revocation is audited"
    );
    app.stop().await;
}
