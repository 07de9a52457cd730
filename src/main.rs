//! The `pokedex` binary: read the settings, start logging, then serve the app or
//! run one management command.

use std::process::ExitCode;

use pokedex::app::{Application, Launch};
use pokedex::bench;
use pokedex::bench::server::TOKEN_ENV;
use pokedex::commands;
use pokedex::settings::{Cli, Command, Settings};

/// jemalloc instead of glibc's malloc. A page's buffers (154 KB for `/all`: the
/// rendered page, a Redis reply) are allocated and freed on every request, and glibc
/// handed their pages back to the kernel and faulted them in again each time: 8 % of
/// a Redis hit's CPU went to page faults. The README's performance section has the
/// figures; peak RSS stays under 32 MB.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::try_parse_from(std::env::args_os()).unwrap_or_else(|err| err.exit());
    let _flushed_on_exit = pokedex::logging::init();
    let settings = match Settings::load(&cli, |name| std::env::var(name).ok()) {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("pokedex: {err}");
            return ExitCode::from(2);
        }
    };
    match cli.command {
        Some(Command::CreateCacheTable) => report(commands::create_cache_table(&settings).await),
        Some(Command::Bench(args)) => bench::cli::run(&args, &settings).await,
        Some(Command::ClearCache) => match commands::clear_caches(&settings).await {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::FAILURE,
            Err(err) => report::<()>(Err(err)),
        },
        None => serve(&settings).await,
    }
}

fn report<T>(result: Result<T, commands::CommandError>) -> ExitCode {
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("pokedex: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(settings: &Settings) -> ExitCode {
    let mut summary = settings.summary().into_iter();
    let addr = summary.next().unwrap_or_default();
    tracing::info!("starting: {addr}");
    let mut differing = summary.peekable();
    if differing.peek().is_none() {
        tracing::info!("every other setting has its default (pokedex --help lists them)");
    }
    for line in differing {
        tracing::info!("setting {line}");
    }
    let launch = Launch {
        binary: std::env::current_exe().ok(),
        bench_token: std::env::var(TOKEN_ENV).ok(),
    };
    let app = match Application::launch(settings, launch).await {
        Ok(app) => app,
        Err(err) => {
            eprintln!("pokedex: {err}");
            return ExitCode::FAILURE;
        }
    };
    if let Ok(addr) = app.local_addr() {
        tracing::info!("listening on http://{addr}");
    }
    match app.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("pokedex: {err}");
            ExitCode::FAILURE
        }
    }
}
