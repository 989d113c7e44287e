//! `judgebox serve`: the Judge0-compatible service on the embedded store.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use judgebox_api::{callbacks, AppState, Config, LanguageTable};
use judgebox_engine::{EngineConfig, Queue, SlotPlan};
use judgebox_store::{SqliteStore, Store, Timestamp};
use tokio::sync::watch;

use crate::setup::{runtime, EngineOptions};

#[derive(Debug, Args)]
pub struct Serve {
    /// Address to listen on (Judge0's port by default).
    #[arg(long, env = "JUDGEBOX_LISTEN", default_value = "127.0.0.1:2358")]
    listen: SocketAddr,
    /// Where the submission store lives.
    #[arg(long, env = "JUDGEBOX_DATA", default_value = "/var/lib/judgebox")]
    data: PathBuf,
    /// A TOML file of settings (judge0.conf's names in lower case); the environment, with
    /// judge0.conf's variable names, overrides it.
    #[arg(long, env = "JUDGEBOX_CONFIG")]
    config: Option<PathBuf>,
    /// Worker slots, one jail each (default: judge0.conf's COUNT, else twice the CPUs, as
    /// Judge0).
    #[arg(long, env = "JUDGEBOX_WORKERS")]
    workers: Option<usize>,
    /// The first worker slot number (two services on one host need different ranges).
    #[arg(long, env = "JUDGEBOX_FIRST_SLOT", default_value_t = 0)]
    first_slot: u32,
    /// How long a graceful stop waits for running submissions, seconds.
    #[arg(long, default_value_t = 30)]
    drain_seconds: u64,
    #[command(flatten)]
    engine: EngineOptions,
}

impl Serve {
    pub fn run(self) -> anyhow::Result<std::process::ExitCode> {
        tracing_subscriber::fmt()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| "info".into()),
            )
            .with_writer(std::io::stderr)
            .init();
        let toml_text = match &self.config {
            Some(path) => Some((
                path.display().to_string(),
                std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?,
            )),
            None => None,
        };
        let config = Config::load(
            toml_text.as_ref().map(|(p, t)| (p.as_str(), t.as_str())),
            std::env::vars(),
        )?;
        runtime()?.block_on(self.serve(config))?;
        Ok(std::process::ExitCode::SUCCESS)
    }

    async fn serve(self, config: Config) -> anyhow::Result<()> {
        let config = Arc::new(config);
        let store: Arc<dyn Store> = Arc::new(
            SqliteStore::open(&self.data)
                .await
                .with_context(|| format!("opening the store in {}", self.data.display()))?,
        );
        // Before any jail starts: a jail that dies orphans its box's init, which is ours to
        // reap then, not the host's pid 1's.
        judgebox_engine::reaper::adopt_orphaned_boxes()
            .context("becoming the child subreaper of the jails' boxes")?;
        // What this host lacks that boxes work without, as `judgebox check` says it.
        for d in judgebox_sandbox::host::degradations(&self.engine.slot_config(false).cgroup) {
            tracing::warn!(what = %d.what, cost = %d.cost, fix = %d.fix, "degraded host");
        }
        let workers = self.workers.unwrap_or_else(|| config.workers());
        let languages = self.engine.load_languages()?;
        let engine = self
            .engine
            .engine(
                &languages,
                SlotPlan::Fixed {
                    first: self.first_slot,
                    count: workers.max(1),
                },
                EngineConfig {
                    allow_network: config.allow_enable_network,
                    max_extract_size: config.max_extract_size,
                    ..EngineConfig::default()
                },
            )
            .await?;
        for l in engine.catalog().iter() {
            if let Some(why) = &l.unavailable {
                tracing::warn!(id = l.id(), name = %l.name, reason = %why, "language unavailable");
            }
        }
        let available = engine.catalog().iter().filter(|l| l.is_available()).count();
        let table = Arc::new(LanguageTable::from_catalog(engine.catalog()));
        let (stop_tx, stop_rx) = watch::channel(false);
        let (queue, worker_tasks) = Queue::start(
            engine,
            Arc::clone(&store),
            Some(callbacks::hook(Arc::clone(&config), Arc::clone(&table))),
            stop_rx.clone(),
        );
        queue
            .recover()
            .await
            .context("queueing unfinished submissions")?;
        if config.retention_seconds > 0 {
            tokio::spawn(retention(
                Arc::clone(&store),
                config.retention_seconds,
                stop_rx.clone(),
            ));
        }
        let state = AppState::new(Arc::clone(&config), store, queue, table);
        let listener = tokio::net::TcpListener::bind(self.listen)
            .await
            .with_context(|| format!("listening on {}", self.listen))?;
        tracing::info!(
            listen = %self.listen,
            data = %self.data.display(),
            workers,
            languages = available,
            "judgebox serving the Judge0 API"
        );
        let service =
            axum::ServiceExt::<axum::extract::Request>::into_make_service_with_connect_info::<
                SocketAddr,
            >(judgebox_api::service(state));
        axum::serve(listener, service)
            .with_graceful_shutdown(shutdown_signal())
            .await
            .context("serving")?;
        // Stop taking queued work; what is queued stays In Queue in the store and is queued
        // again at the next start. Running submissions get `drain_seconds` to finish.
        tracing::info!("stopping: finishing running submissions");
        let _ = stop_tx.send(true);
        let drain = futures_join_all(worker_tasks);
        if tokio::time::timeout(Duration::from_secs(self.drain_seconds), drain)
            .await
            .is_err()
        {
            tracing::warn!("running submissions did not finish in time; they will be judged again at the next start");
        }
        tracing::info!("stopped");
        Ok(())
    }
}

async fn futures_join_all(tasks: Vec<tokio::task::JoinHandle<()>>) {
    for task in tasks {
        let _ = task.await;
    }
}

async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).expect("installing a SIGTERM handler");
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}

/// Purges finished submissions' contents once they are older than the retention period.
async fn retention(store: Arc<dyn Store>, seconds: u64, mut stop: watch::Receiver<bool>) {
    let every = Duration::from_secs((seconds / 10).clamp(1, 3600));
    loop {
        let cutoff = Timestamp::from_millis(
            Timestamp::now().as_millis() - (seconds as i64).saturating_mul(1000),
        );
        match store.purge_before(cutoff).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(purged = n, "retention: contents of old submissions removed"),
            Err(e) => tracing::warn!(error = %e, "retention purge failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}
