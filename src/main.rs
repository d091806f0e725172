//! The `trama` binary: parse the command line, start logging, hand over to the library.

use clap::Parser;

/// mimalloc rather than glibc's malloc: glibc keeps what a process frees in
/// its arenas. In the search bench (1M documents) the process held 3.5 GB of
/// heap after dropping its 1.3 GB corpus and peaked at 4.5 GB while
/// querying; with mimalloc 0.3 GB and 2.3 GB, searches as fast
/// (docs/benchmarks.md, "One posting list a stem"). The benches use the same
/// allocator, so that they measure what the server runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
