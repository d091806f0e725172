//! GraphQL over HTTP at the HTTP level: media types chosen from `Accept`,
//! status codes for malformed requests, request errors and executed
//! operations, GET for queries only, and GraphiQL for browsers. The full
//! conformance audit (npm `graphql-http`) runs in `scripts/test`.

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, ACCEPT_LANGUAGE, ALLOW, CONTENT_TYPE, VARY};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};
use crate::on_both_databases;

on_both_databases!(
    the_response_type_follows_the_accept_header,
    malformed_requests_get_400_naming_the_parameter,
    request_errors_have_no_data_and_their_status_follows_the_type,
    default_variable_values_decide_include_and_skip,
);
// A browser's GET is answered with the web app's GraphiQL page.
on_both_databases!(web_app: get_runs_queries_but_never_mutations);

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

/// POSTs `body` as JSON with the given `Accept` (none when `None`).
async fn post(app: &TestApp, accept: Option<&str>, body: &str) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url("/graphql"))
        .header(CONTENT_TYPE, JSON)
        .body(body.to_owned());
    if let Some(accept) = accept {
        request = request.header(ACCEPT, accept);
    }
    request.send().await.expect("POST /graphql")
}

fn media_type_of(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Status, content type and JSON body.
async fn parts(response: reqwest::Response) -> (StatusCode, String, Value) {
    let status = response.status();
    let content_type = media_type_of(&response);
    let body = response.json().await.expect("a JSON body");
    (status, content_type, body)
}

async fn the_response_type_follows_the_accept_header(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let query = r#"{"query":"{ __typename }"}"#;
    let cases = [
        (Some(GRAPHQL_RESPONSE), GRAPHQL_RESPONSE),
        (Some(JSON), JSON),
        (Some("*/*"), JSON),
        (None, JSON),
        (
            Some("application/graphql-response+json, application/json;q=0.9"),
            GRAPHQL_RESPONSE,
        ),
        (
            Some("application/json, application/graphql-response+json;q=0.5"),
            JSON,
        ),
    ];
    for (accept, expected) in cases {
        let response = post(&app, accept, query).await;
        let vary = response
            .headers()
            .get_all(VARY)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        assert!(vary.contains("accept"), "{vary}");
        let (status, content_type, body) = parts(response).await;
        assert_eq!(status, StatusCode::OK, "{accept:?}");
        assert_eq!(content_type, expected, "{accept:?}");
        assert_eq!(body, json!({ "data": { "__typename": "Query" } }));
    }

    let response = post(&app, Some("text/plain"), query).await;
    let (status, content_type, body) = parts(response).await;
    assert_eq!(status, StatusCode::NOT_ACCEPTABLE);
    assert_eq!(content_type, JSON);
    assert_eq!(body["errors"][0]["extensions"]["field"], "Accept");
    app.stop().await;
}

async fn malformed_requests_get_400_naming_the_parameter(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cases = [
        ("{ \"not a JSON", "body"),
        ("", "body"),
        ("[]", "body"),
        (r#"{"notquery":"{ __typename }"}"#, "query"),
        (r#"{"query":{"obj":"ect"}}"#, "query"),
        (
            r#"{"query":"{ __typename }","operationName":0}"#,
            "operationName",
        ),
        (
            r#"{"query":"{ __typename }","variables":"{}"}"#,
            "variables",
        ),
        (
            r#"{"query":"{ __typename }","extensions":["array"]}"#,
            "extensions",
        ),
    ];
    for (body, field) in cases {
        for accept in [GRAPHQL_RESPONSE, JSON] {
            let (status, content_type, response) =
                parts(post(&app, Some(accept), body).await).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body} as {accept}");
            assert_eq!(content_type, accept, "{body}");
            let error = &response["errors"][0];
            assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{response}");
            assert_eq!(error["extensions"]["field"], field, "{body}: {response}");
            assert!(response.get("data").is_none(), "{response}");
        }
    }
    // Messages are in Italian unless English comes first.
    let english = app
        .client
        .post(app.url("/graphql"))
        .header(CONTENT_TYPE, JSON)
        .header(ACCEPT_LANGUAGE, "en")
        .body("{}")
        .send()
        .await
        .expect("POST");
    let (_, _, english) = parts(english).await;
    assert_eq!(
        english["errors"][0]["message"],
        "query: the GraphQL document is missing"
    );
    let (_, _, italian) = parts(post(&app, None, "{}").await).await;
    assert_eq!(
        italian["errors"][0]["message"],
        "query: manca il documento GraphQL"
    );

    // The body must be JSON, in UTF-8.
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/json; charset=latin1"),
    ] {
        let mut request = app
            .client
            .post(app.url("/graphql"))
            .body(r#"{"query":"{ __typename }"}"#);
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        let response = request.send().await.expect("POST");
        assert_eq!(
            response.status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}"
        );
    }
    let utf8 = app
        .client
        .post(app.url("/graphql"))
        .header(CONTENT_TYPE, "application/json; charset=UTF-8")
        .body(r#"{"query":"{ __type(name: \"Run🏃\") { name } }"}"#)
        .send()
        .await
        .expect("POST");
    assert_eq!(utf8.status(), StatusCode::OK);
    app.stop().await;
}

async fn request_errors_have_no_data_and_their_status_follows_the_type(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let request_errors = [
        json!({ "query": "{" }),
        json!({ "query": "{ noSuchField }" }),
        json!({ "query": "query($id: ID!) { need(id: $id) { id } }", "variables": { "id": null } }),
        json!({ "query": "query A { __typename }", "operationName": "B" }),
    ];
    for request in &request_errors {
        for (accept, expected) in [
            (GRAPHQL_RESPONSE, StatusCode::BAD_REQUEST),
            (JSON, StatusCode::OK),
        ] {
            let (status, content_type, body) =
                parts(post(&app, Some(accept), &request.to_string()).await).await;
            assert_eq!(status, expected, "{request} as {accept}: {body}");
            assert_eq!(content_type, accept);
            assert!(body.get("data").is_none(), "{body}");
            assert!(body["errors"][0]["message"].is_string(), "{body}");
            assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
        }
    }
    // An executed operation is 200 even when a field fails: the data is there.
    let failed_field =
        json!({ "query": "{ need(id: \"x\") { id } platformStats { neighbourhoods } }" });
    let (status, content_type, body) =
        parts(post(&app, Some(GRAPHQL_RESPONSE), &failed_field.to_string()).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(content_type, GRAPHQL_RESPONSE);
    assert_eq!(body["data"]["need"], Value::Null);
    assert!(
        body["data"]["platformStats"]["neighbourhoods"].is_number(),
        "{body}"
    );
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["path"], json!(["need"]));
    app.stop().await;
}

async fn get_runs_queries_but_never_mutations(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let get = |query: &'static [(&'static str, &'static str)], accept: &'static str| {
        let app = &app;
        async move {
            app.client
                .get(app.url("/graphql"))
                .query(query)
                .header(ACCEPT, accept)
                .send()
                .await
                .expect("GET /graphql")
        }
    };
    let (status, content_type, body) = parts(get(&[("query", "{ __typename }")], JSON).await).await;
    assert_eq!((status, content_type.as_str()), (StatusCode::OK, JSON));
    assert_eq!(body, json!({ "data": { "__typename": "Query" } }));

    const WITH_VARIABLES: &[(&str, &str)] = &[
        (
            "query",
            "query($name: String!) { __type(name: $name) { name } }",
        ),
        ("variables", r#"{"name":"Need"}"#),
    ];
    let (status, content_type, body) = parts(get(WITH_VARIABLES, GRAPHQL_RESPONSE).await).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::OK, GRAPHQL_RESPONSE)
    );
    assert_eq!(body["data"]["__type"]["name"], "Need");

    for mutation in [
        &[("query", "mutation { __typename }")][..],
        &[
            ("query", "query A { __typename } mutation B { __typename }"),
            ("operationName", "B"),
        ][..],
    ] {
        let response = get(mutation, GRAPHQL_RESPONSE).await;
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(
            response.headers().get(ALLOW).and_then(|v| v.to_str().ok()),
            Some("POST")
        );
        let (_, content_type, body) = parts(response).await;
        assert_eq!(content_type, GRAPHQL_RESPONSE);
        assert!(body.get("data").is_none(), "{body}");
    }

    let (status, _, body) = parts(get(&[], JSON).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["extensions"]["field"], "query");
    let (status, _, body) =
        parts(get(&[("query", "{ __typename }"), ("variables", "[1]")], JSON).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["extensions"]["field"], "variables");

    // Browsers get the explorer.
    let page = get(&[], "text/html,application/xhtml+xml,*/*;q=0.8").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(media_type_of(&page).starts_with("text/html"));
    assert!(page.text().await.expect("page").contains("graphiql"));
    app.stop().await;
}

/// `@include(if: $v)` and `@skip(if: $v)` follow the default the operation
/// declares for `$v` when the client leaves it out (async-graphql alone
/// read a left-out variable as `false`: see
/// `src/graphql/variable_defaults.rs`), on fields, fragment spreads and
/// inside fragments; a value the client sends wins over the default.
async fn default_variable_values_decide_include_and_skip(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let query = "query Q($with: Boolean = true, $without: Boolean = false) { \
        included: __typename @include(if: $with) \
        notSkipped: __typename @skip(if: $without) \
        excluded: __typename @include(if: $without) \
        ...Named @include(if: $with) \
        ... on Query @skip(if: $without) { inline: __typename } \
    } \
    fragment Named on Query { named: __typename inFragment: __typename @include(if: $with) }";
    let all = json!({
        "included": "Query",
        "notSkipped": "Query",
        "named": "Query",
        "inFragment": "Query",
        "inline": "Query",
    });
    for body in [
        json!({ "query": query }),
        json!({ "query": query, "variables": {} }),
        json!({ "query": query, "operationName": "Q", "variables": null }),
    ] {
        let (status, _, response) = parts(post(&app, Some(JSON), &body.to_string()).await).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(response, json!({ "data": all }), "{body}");
    }
    // Over GET as well.
    let response = app
        .client
        .get(app.url("/graphql"))
        .query(&[("query", query)])
        .header(ACCEPT, JSON)
        .send()
        .await
        .expect("GET /graphql");
    let (_, _, response) = parts(response).await;
    assert_eq!(response, json!({ "data": all }));
    // Values sent by the client override the defaults.
    let body = json!({ "query": query, "variables": { "with": false, "without": true } });
    let (_, _, response) = parts(post(&app, Some(JSON), &body.to_string()).await).await;
    assert_eq!(response, json!({ "data": { "excluded": "Query" } }));
}
