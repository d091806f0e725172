//! Open-data downloads, without login: `GET /opendata/needs.csv`,
//! `/opendata/needs.json`, and the same for `offers` and `pacts` (columns in
//! `docs/opendata.md`). The file is streamed page by page from
//! [`crate::services::opendata::Exporter`], the same code `trama export`
//! runs. The first page is read before answering, so that a database that
//! is down gives a 503 (another failure a 500) rather than an empty file; a
//! failure further on cuts the stream (the error is logged with an id).
//! The stream ends cleanly however often it is polled after its end (the
//! compression layer polls once more: a stream that panicked there cut every
//! compressed download short).

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::domain::Lang;
use crate::error::AppError;
use crate::services::opendata::{Dataset, ExportFormat, Exporter};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/opendata/{file}", get(download))
}

/// `needs.csv` -> (needs, csv); anything else is not a file we serve.
fn parse_file(file: &str) -> Option<(Dataset, ExportFormat)> {
    let (stem, extension) = file.rsplit_once('.')?;
    Some((
        Dataset::parse(stem, "dataset").ok()?,
        ExportFormat::parse(extension, "format").ok()?,
    ))
}

async fn download(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some((dataset, format)) = parse_file(&file) else {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "Not found. Open data: /opendata/needs.csv, needs.json, offers.csv, offers.json, \
             pacts.csv, pacts.json (see docs/opendata.md).\n",
        )
            .into_response();
    };
    let mut exporter = Exporter::new(state.db.clone(), dataset, format);
    let mut head = Vec::new();
    for _ in 0..2 {
        match exporter.next_chunk().await {
            Ok(Some(chunk)) => head.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(AppError::Unavailable(what)) => {
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [
                        (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                        (header::RETRY_AFTER, "60"),
                    ],
                    format!("{}\n{}\n", what.message(Lang::It), what.message(Lang::En)),
                )
                    .into_response();
            }
            Err(error) => {
                let id = error.log_internal().unwrap_or_default();
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    format!("Internal error (code {id}). Please try again.\n"),
                )
                    .into_response();
            }
        }
    }
    // An async stream returns None for good once finished.
    let body = async_stream::stream! {
        yield Ok::<_, std::io::Error>(Bytes::from(head));
        loop {
            match exporter.next_chunk().await {
                Ok(Some(chunk)) => yield Ok(Bytes::from(chunk)),
                Ok(None) => break,
                Err(error) => {
                    let id = error.log_internal().unwrap_or_default();
                    yield Err(std::io::Error::other(format!(
                        "open-data export cut short (code {id})"
                    )));
                    break;
                }
            }
        }
    };
    (
        [
            (header::CONTENT_TYPE, format.content_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"trama-{}.{}\"",
                    dataset.as_str(),
                    format.as_str()
                ),
            ),
            (header::CACHE_CONTROL, "public, max-age=300".to_owned()),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_six_files_are_served() {
        assert_eq!(
            parse_file("needs.csv"),
            Some((Dataset::Needs, ExportFormat::Csv))
        );
        assert_eq!(
            parse_file("pacts.json"),
            Some((Dataset::Pacts, ExportFormat::Json))
        );
        assert_eq!(parse_file("users.csv"), None);
        assert_eq!(parse_file("needs.xlsx"), None);
        assert_eq!(parse_file("needs"), None);
    }
}
