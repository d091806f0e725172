//! The pages a digest's links open, without login: `GET /digests/unsubscribe`
//! (a confirmation page with a button), `POST /digests/unsubscribe` (the
//! RFC 8058 one-click target mail clients call; the button posts here too),
//! `GET /digests/feedback` (a page asking to confirm "pertinente / non
//! pertinente" on a match, recording nothing: mail scanners prefetch links)
//! and `POST /digests/feedback` (its button: records the verdict). Each
//! answers a small accessible page in the reader's language (the template
//! `templates/pages/digest.html`); a bad or expired link gets a page that
//! says so (400), never a 500 with details (internal errors are logged with
//! an id).

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::{FeedbackVerdict, Lang, parse_uuid};
use crate::error::{AppError, ErrorCode};
use crate::services::digests;
use crate::state::AppState;
use crate::templates;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/digests/unsubscribe",
            get(unsubscribe_page).post(unsubscribe),
        )
        .route("/digests/feedback", get(feedback_page).post(feedback))
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

#[derive(Deserialize)]
pub struct FeedbackQuery {
    #[serde(default)]
    token: String,
    #[serde(default, rename = "match")]
    match_id: String,
    #[serde(default)]
    verdict: String,
}

async fn unsubscribe_page(
    State(state): State<AppState>,
    Query(query): Query<TokenQuery>,
) -> Response {
    let lang = digests::link_lang(&state.db, &query.token).await;
    match digests::link_is_valid(&state.db, &query.token).await {
        Ok(true) => {
            let action = format!("/digests/unsubscribe?token={}", urlencode(&query.token));
            page(StatusCode::OK, lang, Page::Unsubscribe, Some(&action))
        }
        Ok(false) => invalid_link(lang),
        Err(error) => internal(lang, &error),
    }
}

async fn unsubscribe(State(state): State<AppState>, Query(query): Query<TokenQuery>) -> Response {
    match digests::unsubscribe(&state.db, &query.token).await {
        Ok(lang) => page(StatusCode::OK, lang, Page::Unsubscribed, None),
        Err(error) => error_page(Lang::default(), &error),
    }
}

/// The verdict and match of a feedback link, when well formed.
fn feedback_link(query: &FeedbackQuery) -> Option<(FeedbackVerdict, Uuid)> {
    let verdict = match query.verdict.as_str() {
        "relevant" => FeedbackVerdict::Relevant,
        "not_relevant" => FeedbackVerdict::NotRelevant,
        _ => return None,
    };
    let match_id = parse_uuid(&query.match_id).ok()?;
    Some((verdict, match_id))
}

async fn feedback_page(
    State(state): State<AppState>,
    Query(query): Query<FeedbackQuery>,
) -> Response {
    let lang = digests::link_lang(&state.db, &query.token).await;
    let Some((verdict, match_id)) = feedback_link(&query) else {
        return invalid_link(lang);
    };
    match digests::check_feedback(&state.db, &query.token, match_id).await {
        Ok(lang) => {
            let relevant = verdict == FeedbackVerdict::Relevant;
            let action = format!(
                "/digests/feedback?token={}&match={match_id}&verdict={}",
                urlencode(&query.token),
                verdict.as_str()
            );
            page(
                StatusCode::OK,
                lang,
                Page::Feedback { relevant },
                Some(&action),
            )
        }
        Err(error) => error_page(lang, &error),
    }
}

async fn feedback(State(state): State<AppState>, Query(query): Query<FeedbackQuery>) -> Response {
    let lang = digests::link_lang(&state.db, &query.token).await;
    let Some((verdict, match_id)) = feedback_link(&query) else {
        return invalid_link(lang);
    };
    match digests::feedback(&state.db, &query.token, match_id, verdict).await {
        Ok(lang) => {
            let relevant = verdict == FeedbackVerdict::Relevant;
            page(
                StatusCode::OK,
                lang,
                Page::FeedbackRecorded { relevant },
                None,
            )
        }
        Err(error) => error_page(lang, &error),
    }
}

fn urlencode(raw: &str) -> String {
    percent_encoding::utf8_percent_encode(raw, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn error_page(lang: Lang, error: &AppError) -> Response {
    match error.code() {
        ErrorCode::Internal => internal(lang, error),
        _ => invalid_link(lang),
    }
}

fn invalid_link(lang: Lang) -> Response {
    page(StatusCode::BAD_REQUEST, lang, Page::InvalidLink, None)
}

fn internal(lang: Lang, error: &AppError) -> Response {
    let code = error.log_internal().unwrap_or_default();
    page(
        StatusCode::INTERNAL_SERVER_ERROR,
        lang,
        Page::Error { code },
        None,
    )
}

/// Which page to show; its words are in `templates/pages/<lang>/digest.txt`.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Page {
    /// Asks to confirm the unsubscription.
    Unsubscribe,
    Unsubscribed,
    /// Asks to confirm the verdict on a match.
    Feedback {
        relevant: bool,
    },
    FeedbackRecorded {
        relevant: bool,
    },
    InvalidLink,
    /// An internal error, with the code it was logged with.
    Error {
        code: String,
    },
}

/// The HTML of a page; `action`, when given, is where its button POSTs (a
/// URL already encoded).
fn render_page(lang: Lang, page: &Page, action: Option<&str>) -> String {
    let (name, relevant, code) = match page {
        Page::Unsubscribe => ("unsubscribe", false, ""),
        Page::Unsubscribed => ("unsubscribed", false, ""),
        Page::Feedback { relevant } => ("feedback", *relevant, ""),
        Page::FeedbackRecorded { relevant } => ("feedback_recorded", *relevant, ""),
        Page::InvalidLink => ("invalid_link", false, ""),
        Page::Error { code } => ("error", false, code.as_str()),
    };
    templates::render(
        "pages/digest.html",
        minijinja::context! {
            lang => lang.as_str(),
            page => name,
            relevant,
            code,
            action,
        },
    )
}

fn page(status: StatusCode, lang: Lang, page: Page, action: Option<&str>) -> Response {
    (status, Html(render_page(lang, &page, action))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::templates::tests::redactions;

    #[test]
    fn snapshots_of_every_page() {
        let token = "dGhlLXRva2Vu_x-1";
        let unsubscribe = format!("/digests/unsubscribe?token={}", urlencode(token));
        let feedback = |verdict: &str| {
            format!(
                "/digests/feedback?token={}&match=0190f5a2-7c3e-7d41-9a6b-2f1e8c4d5a60&verdict={verdict}",
                urlencode(token)
            )
        };
        let pages = [
            ("unsubscribe", Page::Unsubscribe, Some(unsubscribe)),
            ("unsubscribed", Page::Unsubscribed, None),
            (
                "feedback_relevant",
                Page::Feedback { relevant: true },
                Some(feedback("relevant")),
            ),
            (
                "feedback_not_relevant",
                Page::Feedback { relevant: false },
                Some(feedback("not_relevant")),
            ),
            (
                "feedback_recorded_relevant",
                Page::FeedbackRecorded { relevant: true },
                None,
            ),
            (
                "feedback_recorded_not_relevant",
                Page::FeedbackRecorded { relevant: false },
                None,
            ),
            ("invalid_link", Page::InvalidLink, None),
            (
                "error",
                Page::Error {
                    code: "0190f5a2-7c3e-7d41-9a6b-2f1e8c4d5a61".to_owned(),
                },
                None,
            ),
        ];
        for lang in [Lang::It, Lang::En] {
            for (name, page, action) in &pages {
                let html = render_page(lang, page, action.as_deref());
                insta::with_settings!({ filters => redactions() }, {
                    insta::assert_snapshot!(format!("page_{name}_{}", lang.as_str()), html);
                });
            }
        }
    }

    #[test]
    fn the_form_action_is_escaped_and_the_token_encoded() {
        let action = format!("/digests/unsubscribe?token={}", urlencode("a\"b&c"));
        let html = render_page(Lang::It, &Page::Unsubscribe, Some(&action));
        assert!(
            html.contains(r#"<form method="post" action="/digests/unsubscribe?token=a%22b%26c">"#),
            "{html}"
        );
    }
}
