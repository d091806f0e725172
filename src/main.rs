//! The `trama` binary: parse the command line, start logging, hand over to the library.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = trama::cli::Cli::parse();
    trama::telemetry::init(&cli.settings());
    match trama::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        // The import reported its refused rows already; the others went in.
        Err(error) if error.downcast_ref::<trama::cli::RowsRefused>().is_some() => {
            std::process::ExitCode::from(2)
        }
        Err(error) => {
            tracing::error!("{error:#}");
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
