//! The pages a digest's links open, without login: `GET /digests/unsubscribe`
//! (a confirmation page with a button), `POST /digests/unsubscribe` (the
//! RFC 8058 one-click target mail clients call; the button posts here too),
//! `GET /digests/feedback` (a page asking to confirm "pertinente / non
//! pertinente" on a match, recording nothing: mail scanners prefetch links)
//! and `POST /digests/feedback` (its button: records the verdict). Each answers a small accessible page in the reader's language; a
//! bad or expired link gets a page that says so (400), never a 500 with
//! details (internal errors are logged with an id).

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use uuid::Uuid;

use crate::app::AppState;
use crate::domain::{FeedbackVerdict, Lang, parse_uuid};
use crate::error::{AppError, ErrorCode};
use crate::mail::templates::escape_html;
use crate::services::digests;

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
            let (title, text, button) = match lang {
                Lang::It => (
                    "Non ricevere più i riepiloghi",
                    "Vuoi smettere di ricevere i riepiloghi di Trama per e-mail? Potrai \
                     riattivarli dal tuo profilo.",
                    "Sì, non inviarmeli più",
                ),
                Lang::En => (
                    "Stop the digests",
                    "Do you want to stop receiving Trama's digests by e-mail? You can turn \
                     them back on from your profile.",
                    "Yes, stop sending them",
                ),
            };
            let action = format!("/digests/unsubscribe?token={}", urlencode(&query.token));
            page(
                StatusCode::OK,
                lang,
                title,
                text,
                &button_form(&action, button),
            )
        }
        Ok(false) => invalid_link(lang),
        Err(error) => internal(lang, &error),
    }
}

async fn unsubscribe(State(state): State<AppState>, Query(query): Query<TokenQuery>) -> Response {
    match digests::unsubscribe(&state.db, &query.token).await {
        Ok(lang) => {
            let (title, text) = match lang {
                Lang::It => (
                    "Fatto: niente più riepiloghi",
                    "Non riceverai più i riepiloghi di Trama. Puoi riattivarli quando vuoi dal \
                     tuo profilo.",
                ),
                Lang::En => (
                    "Done: no more digests",
                    "You will not receive Trama's digests any more. You can turn them back on \
                     from your profile at any time.",
                ),
            };
            page(StatusCode::OK, lang, title, text, "")
        }
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
            let (title, text, button) = match (lang, relevant) {
                (Lang::It, true) => (
                    "Segnalare come pertinente?",
                    "Conferma che questo abbinamento ti sembra pertinente: il tuo parere aiuta \
                     Trama a proporre abbinamenti migliori.",
                    "Sì, è pertinente",
                ),
                (Lang::It, false) => (
                    "Segnalare come non pertinente?",
                    "Conferma che questo abbinamento non ti sembra pertinente: il tuo parere \
                     aiuta Trama a proporre abbinamenti migliori.",
                    "Sì, non è pertinente",
                ),
                (Lang::En, true) => (
                    "Mark as relevant?",
                    "Confirm that this match seems relevant to you: your opinion helps Trama \
                     propose better matches.",
                    "Yes, it is relevant",
                ),
                (Lang::En, false) => (
                    "Mark as not relevant?",
                    "Confirm that this match does not seem relevant to you: your opinion \
                     helps Trama propose better matches.",
                    "Yes, it is not relevant",
                ),
            };
            let action = format!(
                "/digests/feedback?token={}&match={match_id}&verdict={}",
                urlencode(&query.token),
                verdict.as_str()
            );
            page(
                StatusCode::OK,
                lang,
                title,
                text,
                &button_form(&action, button),
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
            let (title, text) = match (lang, verdict) {
                (Lang::It, FeedbackVerdict::Relevant) => (
                    "Grazie: segnato come pertinente",
                    "Il tuo parere aiuta Trama a proporre abbinamenti migliori.",
                ),
                (Lang::It, _) => (
                    "Grazie: segnato come non pertinente",
                    "Il tuo parere aiuta Trama a proporre abbinamenti migliori.",
                ),
                (Lang::En, FeedbackVerdict::Relevant) => (
                    "Thank you: marked as relevant",
                    "Your opinion helps Trama propose better matches.",
                ),
                (Lang::En, _) => (
                    "Thank you: marked as not relevant",
                    "Your opinion helps Trama propose better matches.",
                ),
            };
            page(StatusCode::OK, lang, title, text, "")
        }
        Err(error) => error_page(lang, &error),
    }
}

/// A form that POSTs to `action` (already URL-encoded) with one button.
fn button_form(action: &str, button: &str) -> String {
    format!(
        r#"<form method="post" action="{action}"><button type="submit" style="font-size:1rem;padding:0.75rem 1.5rem;background:#1d4ed8;color:#ffffff;border:0;border-radius:6px;cursor:pointer;">{button}</button></form>"#,
        action = escape_html(action),
        button = escape_html(button),
    )
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
    let (title, text) = match lang {
        Lang::It => (
            "Link non valido",
            "Questo link non funziona: è scaduto, è incompleto o non è tuo. Accedi a Trama per \
             gestire i riepiloghi dal tuo profilo.",
        ),
        Lang::En => (
            "This link does not work",
            "This link does not work: it expired, is incomplete or is not yours. Sign in to \
             Trama to manage your digests from your profile.",
        ),
    };
    page(StatusCode::BAD_REQUEST, lang, title, text, "")
}

fn internal(lang: Lang, error: &AppError) -> Response {
    let id = error.log_internal().unwrap_or_default();
    let text = match lang {
        Lang::It => format!("Si è verificato un errore interno. Riprova tra poco (codice {id})."),
        Lang::En => format!("Something went wrong on our side. Please try again (code {id})."),
    };
    let title = match lang {
        Lang::It => "Errore",
        Lang::En => "Error",
    };
    page(StatusCode::INTERNAL_SERVER_ERROR, lang, title, &text, "")
}

fn page(status: StatusCode, lang: Lang, title: &str, text: &str, extra_html: &str) -> Response {
    let home = match lang {
        Lang::It => "Vai a Trama",
        Lang::En => "Go to Trama",
    };
    let html = format!(
        r#"<!DOCTYPE html>
<html lang="{lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>{title} · Trama</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;color:#1f2937;background:#f3f4f6;margin:0;padding:2rem 1rem;">
<main style="max-width:36rem;margin:0 auto;background:#ffffff;border:1px solid #d1d5db;border-radius:8px;padding:1.5rem 2rem;line-height:1.5;">
<h1 style="font-size:1.5rem;margin:0 0 1rem 0;color:#111827;">{title}</h1>
<p>{text}</p>
{extra_html}
<p><a href="/" style="color:#1d4ed8;">{home}</a></p>
</main>
</body>
</html>
"#,
        lang = lang.as_str(),
        title = escape_html(title),
        text = escape_html(text),
    );
    (status, Html(html)).into_response()
}
