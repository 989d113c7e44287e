//! How fast the SQLite store takes submissions through their three writes (insert, start,
//! finish), each durable when it returns. Prints figures; asserts nothing.
//!
//! ```text
//! cargo run --release -p judgebox-store --example throughput -- [callers] [seconds] [rate] [dir]
//! ```
//!
//! Two phases, on a fresh database in `dir` (default: a temporary directory):
//! 1. saturated: `callers` tasks (default 8) each run insert → start → finish back to back;
//! 2. paced: `rate` submissions a second (default 1000) arrive from `callers` tasks, each
//!    taken through start → finish as soon as its insert returns, as a worker would.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use judgebox_store::{NewSubmission, Outcome, SqliteStore, Store, Timestamp};

fn submission(n: u64) -> NewSubmission {
    NewSubmission {
        token: format!("00000000-0000-4000-8000-{n:012x}"),
        source_code: Some(b"#include <stdio.h>\nint main(){puts(\"hi\");}\n".to_vec()),
        language_id: 50,
        stdin: Some(b"1 2\n".to_vec()),
        expected_output: Some(b"hi\n".to_vec()),
        number_of_runs: 1,
        cpu_time_limit: 5.0,
        cpu_extra_time: 1.0,
        wall_time_limit: 10.0,
        memory_limit: 128_000,
        stack_limit: 64_000,
        max_processes_and_or_threads: 60,
        enable_per_process_and_thread_time_limit: false,
        enable_per_process_and_thread_memory_limit: false,
        max_file_size: 1024,
        compiler_options: None,
        command_line_arguments: None,
        redirect_stderr_to_stdout: false,
        callback_url: None,
        additional_files: None,
        enable_network: false,
        created_at: Timestamp::now(),
    }
}

fn outcome() -> Outcome {
    Outcome {
        status_id: 3,
        stdout: Some(b"hi\n".to_vec()),
        stderr: Some(Vec::new()),
        compile_output: None,
        time: Some(0.001),
        wall_time: Some(0.002),
        memory: Some(1_024),
        exit_code: Some(0),
        exit_signal: None,
        message: None,
        finished_at: Some(Timestamp::now()),
    }
}

/// Latencies in microseconds, from many tasks.
#[derive(Default)]
struct Latencies(Mutex<Vec<u64>>);

impl Latencies {
    fn record(&self, since: Instant) {
        let micros = u64::try_from(since.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.0.lock().unwrap().push(micros);
    }

    fn summary(&self) -> String {
        let mut v = self.0.lock().unwrap().clone();
        if v.is_empty() {
            return "no samples".to_owned();
        }
        v.sort_unstable();
        let at = |q: f64| v[((v.len() - 1) as f64 * q) as usize] as f64 / 1000.0;
        format!(
            "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            at(0.5),
            at(0.99),
            at(1.0)
        )
    }
}

/// One submission's three writes; returns when all are durable.
async fn cycle(store: &dyn Store, n: u64, insert: &Latencies) {
    let t0 = Instant::now();
    let id = store.insert(vec![submission(n)]).await.unwrap()[0];
    insert.record(t0);
    assert!(store.start(id).await.unwrap());
    store.finish(id, outcome()).await.unwrap();
}

async fn saturated(store: Arc<dyn Store>, callers: u64, seconds: u64, next: Arc<AtomicU64>) {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let inserts = Arc::new(Latencies::default());
    let cycles = Arc::new(Latencies::default());
    let started = Instant::now();
    let tasks: Vec<_> = (0..callers)
        .map(|_| {
            let (store, next) = (Arc::clone(&store), Arc::clone(&next));
            let (inserts, cycles) = (Arc::clone(&inserts), Arc::clone(&cycles));
            tokio::spawn(async move {
                let mut done = 0u64;
                while Instant::now() < deadline {
                    let t0 = Instant::now();
                    cycle(&*store, next.fetch_add(1, Ordering::Relaxed), &inserts).await;
                    cycles.record(t0);
                    done += 1;
                }
                done
            })
        })
        .collect();
    let mut done = 0;
    for task in tasks {
        done += task.await.unwrap();
    }
    let secs = started.elapsed().as_secs_f64();
    println!("saturated, {callers} callers, {secs:.1} s:");
    println!(
        "  {:.0} submissions/s = {:.0} durable writes/s (insert + start + finish)",
        done as f64 / secs,
        3.0 * done as f64 / secs
    );
    println!("  insert latency: {}", inserts.summary());
    println!("  whole cycle:    {}", cycles.summary());
}

async fn paced(store: Arc<dyn Store>, callers: u64, seconds: u64, rate: u64, next: Arc<AtomicU64>) {
    let inserts = Arc::new(Latencies::default());
    let cycles = Arc::new(Latencies::default());
    let period = Duration::from_secs_f64(callers as f64 / rate as f64);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let sent = Arc::new(AtomicU64::new(0));
    let callers_tasks: Vec<_> = (0..callers)
        .map(|_| {
            let (store, next, sent) = (Arc::clone(&store), Arc::clone(&next), Arc::clone(&sent));
            let (inserts, cycles) = (Arc::clone(&inserts), Arc::clone(&cycles));
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(period);
                let mut running = Vec::new();
                while Instant::now() < deadline {
                    tick.tick().await;
                    sent.fetch_add(1, Ordering::Relaxed);
                    let (store, inserts, cycles) = (
                        Arc::clone(&store),
                        Arc::clone(&inserts),
                        Arc::clone(&cycles),
                    );
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    // Each request on its own, as an HTTP server would run it.
                    running.push(tokio::spawn(async move {
                        let t0 = Instant::now();
                        cycle(&*store, n, &inserts).await;
                        cycles.record(t0);
                    }));
                }
                for task in running {
                    task.await.unwrap();
                }
            })
        })
        .collect();
    for task in callers_tasks {
        task.await.unwrap();
    }
    let secs = started.elapsed().as_secs_f64();
    let sent = sent.load(Ordering::Relaxed);
    println!("paced at {rate}/s from {callers} callers, {secs:.1} s:");
    println!(
        "  {sent} submissions taken through all three writes = {:.0}/s",
        sent as f64 / secs
    );
    println!("  insert latency: {}", inserts.summary());
    println!("  whole cycle:    {}", cycles.summary());
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: u64| args.get(i).map_or(default, |a| a.parse().unwrap());
    let (callers, seconds, rate) = (arg(0, 8), arg(1, 5), arg(2, 1000));
    let temp = tempfile::tempdir().unwrap();
    let dir = args.get(3).map_or(temp.path().to_owned(), Into::into);
    let store = SqliteStore::open(&dir).await.unwrap();
    println!("database: {}", store.path().display());
    let store: Arc<dyn Store> = Arc::new(store);
    let next = Arc::new(AtomicU64::new(0));

    saturated(Arc::clone(&store), callers, seconds, Arc::clone(&next)).await;
    paced(Arc::clone(&store), callers, seconds, rate, next).await;

    let stats = store.statistics(Timestamp::now()).await.unwrap();
    println!(
        "{} rows, database {:.1} MB (with WAL)",
        stats.total,
        stats.database_size as f64 / 1e6
    );
}
