//! Accounts and permissions over real HTTP, on both databases: every role
//! (anonymous, unverified, outsider, member, admin, moderator) against every
//! mutation, allowed and refused; registration, verification, sign-in and
//! sign-out, password reset, rate limits, GDPR export and deletion, and the
//! audit trail. E-mails are read from the files the mailer writes when no SMTP
//! server is configured, so the links are the real ones.

use serde_json::{Value, json};
use trama::services::reference_data::MILANO;

use crate::helpers::{
    Backend, PASSWORD, TestApp, assert_refused_to_outsiders, gql, gql_ok, gql_refused, hide,
    load_territories, login, memberships_of, need_input, new_organization, outcome,
    token_from_mail, unhide, verified_user,
};
use crate::on_both_databases;

on_both_databases!(
    registration_verification_login_and_logout,
    password_reset_revokes_sessions,
    login_is_rate_limited_per_address,
    organisation_mutations_by_role,
    offer_and_need_mutations_by_role,
    membership_mutations_by_role,
    moderation_mutations_by_role,
    export_and_deletion_of_personal_data,
);

async fn app_with_territories(backend: Backend) -> TestApp {
    let app = TestApp::spawn(backend).await;
    load_territories(app.db()).await;
    app
}

fn organization_input(name: &str, tax_code: &str) -> Value {
    json!({
        "name": name,
        "kind": "SOCIAL_COOPERATIVE_A",
        "taxCode": tax_code,
        "description": "Portierato sociale.",
        "seatMunicipalityCode": MILANO,
        "sectors": ["welfare_comunita"],
    })
}

fn offer_input(title: &str) -> Value {
    json!({ "kind": "COMPETENCE", "title": title, "territoryScope": "MUNICIPALITY", "municipalityCode": MILANO })
}

const CREATE_ORG: &str =
    "mutation($input: OrganizationInput!) { createOrganization(input: $input) { id name } }";

async fn create_org(app: &TestApp, token: &str, name: &str, tax_code: &str) -> String {
    new_organization(app, token, organization_input(name, tax_code)).await
}

/// Invites `email` into `org` as `role` (by its admin) and accepts with `token`.
async fn join(app: &TestApp, admin: &str, org: &str, email: &str, token: &str, role: &str) {
    gql_ok(
        app,
        Some(admin),
        "mutation($o: ID!, $e: String!, $r: MembershipRole!) { inviteMember(organizationId: $o, email: $e, role: $r) { id } }",
        json!({ "o": org, "e": email, "r": role }),
    )
    .await;
    let invitation = token_from_mail(app, email, "/invitations/accept");
    let body = gql_ok(
        app,
        Some(token),
        "mutation($t: String!) { acceptInvitation(token: $t) { role organization { id } } }",
        json!({ "t": invitation }),
    )
    .await;
    assert_eq!(body["data"]["acceptInvitation"]["organization"]["id"], org);
}

async fn audit_actions(app: &TestApp) -> Vec<(String, String)> {
    crate::helpers::audit_entries(app, |row| (row.action, row.actor_label)).await
}

async fn registration_verification_login_and_logout(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let register = "mutation($e: String!, $p: String!) { register(email: $e, displayName: \"Maria\", password: $p) { email emailVerified } }";
    let body = gql(
        &app,
        None,
        register,
        json!({ "e": "Maria@Example.org", "p": PASSWORD }),
    )
    .await;
    assert_eq!(
        body["data"]["register"],
        json!({ "email": "maria@example.org", "emailVerified": false })
    );
    // The same address again is a conflict on the field.
    let body = gql_refused(
        &app,
        None,
        register,
        json!({ "e": "maria@example.org", "p": PASSWORD }),
        "CONFLICT",
    )
    .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "email");
    // Bad input names its fields.
    let body = gql_refused(
        &app,
        None,
        register,
        json!({ "e": "not-an-address", "p": "short" }),
        "BAD_USER_INPUT",
    )
    .await;
    let fields: Vec<&str> = body["errors"][0]["extensions"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert_eq!(fields, ["email", "password"]);

    // An unverified account may sign in but not publish.
    let token = login(&app, "maria@example.org", PASSWORD)
        .await
        .expect("login");
    gql_refused(
        &app,
        Some(&token),
        CREATE_ORG,
        json!({ "input": organization_input("Coop", "95745878934") }),
        "FORBIDDEN",
    )
    .await;

    // Verification: a wrong token is refused on its field, the real one works once.
    let body = gql_refused(
        &app,
        None,
        "mutation { verifyEmail(token: \"nope\") { id } }",
        json!({}),
        "BAD_USER_INPUT",
    )
    .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "token");
    let link_token = token_from_mail(&app, "maria@example.org", "/account/verify");
    let verify = "mutation($t: String!) { verifyEmail(token: $t) { emailVerified } }";
    let body = gql(&app, None, verify, json!({ "t": link_token })).await;
    assert_eq!(body["data"]["verifyEmail"]["emailVerified"], true, "{body}");
    let body = gql(&app, None, verify, json!({ "t": link_token })).await;
    assert_eq!(outcome(&body), "BAD_USER_INPUT", "a link works once");

    // Wrong password and unknown address answer alike.
    assert_eq!(
        login(&app, "maria@example.org", "sbagliata sbagliata").await,
        Err("UNAUTHENTICATED".to_owned())
    );
    assert_eq!(
        login(&app, "nobody@example.org", PASSWORD).await,
        Err("UNAUTHENTICATED".to_owned())
    );

    let me = "{ me { email displayName emailVerified isModerator } }";
    let body = gql(&app, Some(&token), me, json!({})).await;
    assert_eq!(body["data"]["me"]["email"], "maria@example.org");
    assert_eq!(
        gql(&app, None, me, json!({})).await["data"]["me"],
        Value::Null
    );

    // Logging out ends the session: the token no longer identifies anyone.
    assert_eq!(
        outcome(&gql(&app, None, "mutation { logout }", json!({})).await),
        "UNAUTHENTICATED"
    );
    let body = gql(&app, Some(&token), "mutation { logout }", json!({})).await;
    assert_eq!(body["data"]["logout"], true);
    assert_eq!(
        gql(&app, Some(&token), me, json!({})).await["data"]["me"],
        Value::Null
    );

    // The session token is stored hashed, never in clear.
    use sea_orm::EntityTrait;
    let sessions = trama::store::entities::auth_sessions::Entity::find()
        .all(app.db())
        .await
        .expect("sessions");
    assert!(!sessions.is_empty() && sessions.iter().all(|s| s.token_hash != token));
    app.stop().await;
}

async fn password_reset_revokes_sessions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let old_session = verified_user(&app, "luca@example.org").await;
    let request = "mutation($e: String!) { requestPasswordReset(email: $e) }";
    // Unknown addresses get the same answer.
    let body = gql(&app, None, request, json!({ "e": "ghost@example.org" })).await;
    assert_eq!(body["data"]["requestPasswordReset"], true);
    let body = gql(&app, None, request, json!({ "e": "luca@example.org" })).await;
    assert_eq!(body["data"]["requestPasswordReset"], true);
    let reset_token = token_from_mail(&app, "luca@example.org", "/account/reset");

    let reset = "mutation($t: String!, $p: String!) { resetPassword(token: $t, password: $p) }";
    let body = gql_refused(
        &app,
        None,
        reset,
        json!({ "t": reset_token, "p": "corta" }),
        "BAD_USER_INPUT",
    )
    .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "password");
    let body = gql(
        &app,
        None,
        reset,
        json!({ "t": "wrong", "p": "una nuova password sicura" }),
    )
    .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "token");
    let body = gql(
        &app,
        None,
        reset,
        json!({ "t": reset_token, "p": "una nuova password sicura" }),
    )
    .await;
    assert_eq!(body["data"]["resetPassword"], true, "{body}");

    assert_eq!(
        gql(&app, Some(&old_session), "{ me { email } }", json!({})).await["data"]["me"],
        Value::Null
    );
    assert_eq!(
        login(&app, "luca@example.org", PASSWORD).await,
        Err("UNAUTHENTICATED".to_owned())
    );
    assert!(
        login(&app, "luca@example.org", "una nuova password sicura")
            .await
            .is_ok()
    );
    app.stop().await;
}

async fn login_is_rate_limited_per_address(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for _ in 0..10 {
        assert_eq!(
            login(&app, "target@example.org", "tentativo sbagliato").await,
            Err("UNAUTHENTICATED".to_owned())
        );
    }
    let body = gql_refused(
        &app,
        None,
        "mutation { login(email: \"target@example.org\", password: \"ancora un tentativo\") { token } }",
        json!({}),
        "RATE_LIMITED",
    )
    .await;
    assert!(
        body["errors"][0]["extensions"]["retryAfter"]
            .as_u64()
            .is_some_and(|s| s > 0)
    );
    // Another address is not affected.
    assert_eq!(
        login(&app, "other@example.org", "tentativo").await,
        Err("UNAUTHENTICATED".to_owned())
    );
    app.stop().await;
}

async fn organisation_mutations_by_role(backend: Backend) {
    let app = app_with_territories(backend).await;
    let admin = verified_user(&app, "admin@example.org").await;
    let member = verified_user(&app, "member@example.org").await;
    let outsider = verified_user(&app, "outsider@example.org").await;
    let input = organization_input("Portinerie di Comunità", "95745878934");

    // createOrganization: anonymous refused, verified user allowed (and becomes admin).
    assert_eq!(
        outcome(&gql(&app, None, CREATE_ORG, json!({ "input": input })).await),
        "UNAUTHENTICATED"
    );
    let org = create_org(&app, &admin, "Portinerie di Comunità", "95745878934").await;
    join(&app, &admin, &org, "member@example.org", &member, "MEMBER").await;
    let body = gql(&app, Some(&outsider), CREATE_ORG, json!({ "input": input })).await;
    assert_eq!(outcome(&body), "CONFLICT", "same tax code");
    assert_eq!(body["errors"][0]["extensions"]["field"], "taxCode");
    let mut bad = input.clone();
    bad["taxCode"] = json!("95745878935");
    let body = gql_refused(
        &app,
        Some(&outsider),
        CREATE_ORG,
        json!({ "input": bad }),
        "BAD_USER_INPUT",
    )
    .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "taxCode");

    // updateOrganization: only admins.
    let update = "mutation($id: ID!, $input: OrganizationInput!) { updateOrganization(id: $id, input: $input) { name } }";
    let mut renamed = input.clone();
    renamed["name"] = json!("Portinerie di Comunità Milano");
    let vars = json!({ "id": org, "input": renamed });
    assert_refused_to_outsiders(&app, &outsider, update, &vars).await;
    assert_eq!(
        outcome(&gql(&app, Some(&member), update, vars.clone()).await),
        "FORBIDDEN"
    );
    let body = gql(&app, Some(&admin), update, vars).await;
    assert_eq!(
        body["data"]["updateOrganization"]["name"], "Portinerie di Comunità Milano",
        "{body}"
    );
    gql_refused(
        &app,
        Some(&admin),
        update,
        json!({ "id": uuid::Uuid::now_v7().to_string(), "input": input }),
        "NOT_FOUND",
    )
    .await;

    let actions = audit_actions(&app).await;
    assert!(
        actions.contains(&(
            "organization.update".to_owned(),
            "admin@example.org".to_owned()
        )),
        "{actions:?}"
    );
    app.stop().await;
}

async fn offer_and_need_mutations_by_role(backend: Backend) {
    let app = app_with_territories(backend).await;
    let admin = verified_user(&app, "admin@example.org").await;
    let member = verified_user(&app, "member@example.org").await;
    let outsider = verified_user(&app, "outsider@example.org").await;
    let org = create_org(&app, &admin, "Portinerie di Comunità", "95745878934").await;
    join(&app, &admin, &org, "member@example.org", &member, "MEMBER").await;

    for (kind, input) in [
        ("Offer", offer_input("Portierato sociale")),
        ("Need", need_input("Portierato a San Siro")),
    ] {
        let create = format!(
            "mutation($o: ID!, $input: {kind}Input!) {{ create{kind}(organizationId: $o, input: $input) {{ id status }} }}"
        );
        let update = format!(
            "mutation($id: ID!, $input: {kind}Input!) {{ update{kind}(id: $id, input: $input) {{ title }} }}"
        );
        let close = format!("mutation($id: ID!) {{ close{kind}(id: $id) {{ status }} }}");
        let vars = json!({ "o": org, "input": input });
        assert_refused_to_outsiders(&app, &outsider, &create, &vars).await;
        let body = gql(&app, Some(&member), &create, vars.clone()).await;
        assert_eq!(outcome(&body), "OK", "{kind}: {body}");
        let id = body["data"][format!("create{kind}")]["id"]
            .as_str()
            .expect("id")
            .to_owned();
        assert_eq!(body["data"][format!("create{kind}")]["status"], "OPEN");

        let mut changed = input.clone();
        changed["title"] = json!("Titolo aggiornato");
        let vars = json!({ "id": id, "input": changed });
        assert_refused_to_outsiders(&app, &outsider, &update, &vars).await;
        let body = gql(&app, Some(&member), &update, vars).await;
        assert_eq!(
            body["data"][format!("update{kind}")]["title"],
            "Titolo aggiornato",
            "{kind}: {body}"
        );
        let mut invalid = input.clone();
        invalid["title"] = json!("ab");
        let body = gql_refused(
            &app,
            Some(&member),
            &update,
            json!({ "id": id, "input": invalid }),
            "BAD_USER_INPUT",
        )
        .await;
        assert_eq!(body["errors"][0]["extensions"]["field"], "title");

        let vars = json!({ "id": id });
        assert_refused_to_outsiders(&app, &outsider, &close, &vars).await;
        let body = gql(&app, Some(&admin), &close, vars).await;
        assert_eq!(
            body["data"][format!("close{kind}")]["status"],
            "CLOSED",
            "{kind}: {body}"
        );
    }
    let actions = audit_actions(&app).await;
    for action in [
        "offer.create",
        "offer.update",
        "offer.close",
        "need.create",
        "need.update",
        "need.close",
    ] {
        assert!(
            actions.iter().any(|(a, _)| a == action),
            "{action} missing from {actions:?}"
        );
    }
    assert!(actions.contains(&("offer.create".to_owned(), "member@example.org".to_owned())));
    app.stop().await;
}

async fn membership_mutations_by_role(backend: Backend) {
    let app = app_with_territories(backend).await;
    let admin = verified_user(&app, "admin@example.org").await;
    let member = verified_user(&app, "member@example.org").await;
    let outsider = verified_user(&app, "outsider@example.org").await;
    let org = create_org(&app, &admin, "Portinerie di Comunità", "95745878934").await;

    let invite = "mutation($o: ID!, $e: String!) { inviteMember(organizationId: $o, email: $e, role: MEMBER) { email } }";
    let vars = json!({ "o": org, "e": "member@example.org" });
    assert_refused_to_outsiders(&app, &outsider, invite, &vars).await;
    let accept = "mutation($t: String!) { acceptInvitation(token: $t) { role } }";
    assert_eq!(
        outcome(&gql(&app, None, accept, json!({ "t": "x" })).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        outcome(&gql(&app, Some(&member), accept, json!({ "t": "x" })).await),
        "BAD_USER_INPUT"
    );
    join(&app, &admin, &org, "member@example.org", &member, "MEMBER").await;
    // Members may not invite.
    gql_refused(
        &app,
        Some(&member),
        invite,
        json!({ "o": org, "e": "someone@example.org" }),
        "FORBIDDEN",
    )
    .await;
    // Inviting an existing member is a conflict.
    assert_eq!(
        outcome(&gql(&app, Some(&admin), invite, vars).await),
        "CONFLICT"
    );

    let ids = gql(&app, Some(&member), "{ me { id } }", json!({})).await;
    let member_id = ids["data"]["me"]["id"].as_str().expect("id").to_owned();
    let admin_id = gql(&app, Some(&admin), "{ me { id } }", json!({})).await["data"]["me"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let change = "mutation($o: ID!, $u: ID!, $r: MembershipRole!) { changeMemberRole(organizationId: $o, userId: $u, role: $r) { role } }";
    // A member may not promote themselves; the last admin cannot step down.
    for (token, user, role, code) in [
        (&member, &member_id, "ADMIN", "FORBIDDEN"),
        (&admin, &admin_id, "MEMBER", "CONFLICT"),
    ] {
        let variables = json!({ "o": org, "u": user, "r": role });
        gql_refused(&app, Some(token), change, variables, code).await;
    }
    let body = gql(
        &app,
        Some(&admin),
        change,
        json!({ "o": org, "u": member_id, "r": "ADMIN" }),
    )
    .await;
    assert_eq!(body["data"]["changeMemberRole"]["role"], "ADMIN", "{body}");

    let remove = "mutation($o: ID!, $u: ID!) { removeMember(organizationId: $o, userId: $u) }";
    assert_refused_to_outsiders(
        &app,
        &outsider,
        remove,
        &json!({ "o": org, "u": member_id }),
    )
    .await;
    let body = gql(
        &app,
        Some(&admin),
        remove,
        json!({ "o": org, "u": member_id }),
    )
    .await;
    assert_eq!(body["data"]["removeMember"], true, "{body}");
    assert_eq!(memberships_of(&app, &member).await, json!([]));
    app.stop().await;
}

async fn moderation_mutations_by_role(backend: Backend) {
    let app = app_with_territories(backend).await;
    let admin = verified_user(&app, "admin@example.org").await;
    let moderator = verified_user(&app, "moderator@example.org").await;
    trama::services::accounts::set_moderator(app.db(), "moderator@example.org", true)
        .await
        .expect("appoint moderator");
    let org = create_org(&app, &admin, "Portinerie di Comunità", "95745878934").await;

    let verify = "mutation($id: ID!) { verifyOrganization(id: $id, status: VERIFIED, source: \"RUNTS, estratto 2026\", runtsRegistered: true) { verificationStatus runtsRegistered } }";
    assert_refused_to_outsiders(&app, &admin, verify, &json!({ "id": org })).await;
    let body = gql(&app, Some(&moderator), verify, json!({ "id": org })).await;
    assert_eq!(
        body["data"]["verifyOrganization"],
        json!({ "verificationStatus": "VERIFIED", "runtsRegistered": true }),
        "{body}"
    );

    let create = "mutation($o: ID!, $input: NeedInput!) { createNeed(organizationId: $o, input: $input) { id } }";
    let body = gql(
        &app,
        Some(&admin),
        create,
        json!({ "o": org, "input": need_input("Portierato a San Siro") }),
    )
    .await;
    let need = body["data"]["createNeed"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let set_hidden = "mutation($id: ID!, $h: Boolean!, $r: String) { setHidden(kind: NEED, id: $id, hidden: $h, reason: $r) }";
    assert_refused_to_outsiders(
        &app,
        &admin,
        set_hidden,
        &json!({ "id": need, "h": true, "r": "spam" }),
    )
    .await;
    let body = gql(
        &app,
        Some(&moderator),
        set_hidden,
        json!({ "id": need, "h": true }),
    )
    .await;
    assert_eq!(outcome(&body), "BAD_USER_INPUT", "a reason is required");
    assert_eq!(body["errors"][0]["extensions"]["field"], "reason");
    hide(&app, &moderator, "NEED", &need, "contenuto offensivo").await;
    let read = "query($id: ID!) { need(id: $id) { title } }";
    assert_eq!(
        outcome(&gql(&app, None, read, json!({ "id": need })).await),
        "NOT_FOUND"
    );
    unhide(&app, &moderator, "NEED", &need).await;
    assert_eq!(
        outcome(&gql(&app, None, read, json!({ "id": need })).await),
        "OK"
    );
    let actions = audit_actions(&app).await;
    assert!(actions.contains(&(
        "moderation.hide".to_owned(),
        "moderator@example.org".to_owned()
    )));
    assert!(actions.contains(&(
        "organization.verify".to_owned(),
        "moderator@example.org".to_owned()
    )));
    app.stop().await;
}

async fn export_and_deletion_of_personal_data(backend: Backend) {
    let app = app_with_territories(backend).await;
    let token = verified_user(&app, "giulia@example.org").await;
    let org = create_org(&app, &token, "Portinerie di Comunità", "95745878934").await;

    assert_eq!(
        outcome(&gql(&app, None, "{ exportMyData }", json!({})).await),
        "UNAUTHENTICATED"
    );
    let body = gql(&app, Some(&token), "{ exportMyData }", json!({})).await;
    let export = &body["data"]["exportMyData"];
    assert_eq!(export["account"]["email"], "giulia@example.org", "{body}");
    assert_eq!(export["memberships"][0]["organizationId"], org.as_str());
    assert_eq!(export["memberships"][0]["role"], "admin");
    assert!(export["actions"].as_array().is_some_and(|a| !a.is_empty()));
    assert!(
        !export.to_string().contains("password"),
        "no password hash in the export"
    );

    let delete = "mutation($p: String!) { deleteMyAccount(password: $p) }";
    assert_eq!(
        outcome(&gql(&app, None, delete, json!({ "p": PASSWORD })).await),
        "UNAUTHENTICATED"
    );
    gql_refused(
        &app,
        Some(&token),
        delete,
        json!({ "p": "sbagliata sbagliata" }),
        "UNAUTHENTICATED",
    )
    .await;
    let body = gql(&app, Some(&token), delete, json!({ "p": PASSWORD })).await;
    assert_eq!(body["data"]["deleteMyAccount"], true, "{body}");

    assert_eq!(
        login(&app, "giulia@example.org", PASSWORD).await,
        Err("UNAUTHENTICATED".to_owned())
    );
    // The organisation stays; the audit trail no longer names the person.
    let body = gql(
        &app,
        None,
        "query($id: ID!) { organization(id: $id) { name } }",
        json!({ "id": org }),
    )
    .await;
    assert_eq!(
        body["data"]["organization"]["name"],
        "Portinerie di Comunità"
    );
    let actions = audit_actions(&app).await;
    assert!(
        actions.iter().all(|(_, actor)| !actor.contains("giulia")),
        "{actions:?}"
    );
    // The address can register again.
    gql_ok(
        &app,
        None,
        "mutation($p: String!) { register(email: \"giulia@example.org\", displayName: \"Giulia\", password: $p) { id } }",
        json!({ "p": PASSWORD }),
    )
    .await;
    app.stop().await;
}
