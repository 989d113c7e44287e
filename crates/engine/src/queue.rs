//! The submission lifecycle: a queue of stored submissions and one worker per jail.
//!
//! A submission is in the store (In Queue) before it is in the queue, so the queue itself can
//! be lost at any moment: at start-up every row still In Queue or Processing is queued
//! again. The queue counts what is pending so that the API can refuse work beyond
//! `MAX_QUEUE_SIZE` (Judge0's 503) instead of growing without bound; the channel itself is
//! unbounded only because the backlog found at start-up must fit whatever its size.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::JoinSet;

use judgebox_spec::Status;
use judgebox_store::{Outcome, Store, StoreError, Submission, Timestamp};
use tokio::sync::{mpsc, oneshot, watch};
use tracing::Instrument;

use crate::{Engine, Job, JobLimits, Verdict};

/// Called with every submission that reaches its verdict (the API fires callbacks from it).
pub type OnFinished = Arc<dyn Fn(Submission) + Send + Sync>;

/// What a waiter is told when its submission's judging ends: the finished row, as stored,
/// when the verdict was stored; `None` when there is nothing new to show (the submission was
/// deleted, judged already, or its verdict could not be stored), so the waiter reads the
/// store.
pub type Finished = Option<Arc<Submission>>;

type WaiterMap = HashMap<i64, Vec<oneshot::Sender<Finished>>>;

#[derive(Default)]
struct Waiters {
    by_id: Mutex<WaiterMap>,
}

impl Waiters {
    fn add(&self, id: i64) -> oneshot::Receiver<Finished> {
        let (tx, rx) = oneshot::channel();
        self.lock().entry(id).or_default().push(tx);
        rx
    }

    fn wake(&self, id: i64, finished: Finished) {
        for tx in self.lock().remove(&id).unwrap_or_default() {
            let _ = tx.send(finished.clone());
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, WaiterMap> {
        // Entries are only inserted and removed whole, so a poisoned map is still sound.
        self.by_id.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A queued submission: its row when the caller has it (it was just inserted), else only
/// its id (found unfinished at start-up), to be read from the store.
enum Queued {
    Row(Box<Submission>),
    Id(i64),
}

/// How many verdicts one worker may have on their way to the store before it waits for
/// one: a store that keeps refusing (a full disk) must stop the workers, not pile up
/// finished outputs in memory.
const MAX_STORING: usize = 16;

struct Shared {
    engine: Engine,
    store: Arc<dyn Store>,
    sender: mpsc::UnboundedSender<Queued>,
    receiver: tokio::sync::Mutex<mpsc::UnboundedReceiver<Queued>>,
    pending: AtomicUsize,
    working: AtomicUsize,
    finished: AtomicU64,
    waiters: Waiters,
    on_finished: Option<OnFinished>,
    shutdown: watch::Receiver<bool>,
}

/// The queue and its workers. Cheap to clone.
#[derive(Clone)]
pub struct Queue {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue")
            .field("pending", &self.pending())
            .field("working", &self.working())
            .finish()
    }
}

/// Worker counts for Judge0's `/workers`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueStats {
    pub pending: usize,
    pub workers: usize,
    pub working: usize,
}

impl Queue {
    /// Starts one worker per jail of `engine`'s pool. Workers stop taking new submissions
    /// when `shutdown` turns true; what they are judging they finish.
    pub fn start(
        engine: Engine,
        store: Arc<dyn Store>,
        on_finished: Option<OnFinished>,
        shutdown: watch::Receiver<bool>,
    ) -> (Queue, Vec<tokio::task::JoinHandle<()>>) {
        let (sender, receiver) = mpsc::unbounded_channel();
        let workers = engine.pool().size();
        let queue = Queue {
            shared: Arc::new(Shared {
                engine,
                store,
                sender,
                receiver: tokio::sync::Mutex::new(receiver),
                pending: AtomicUsize::new(0),
                working: AtomicUsize::new(0),
                finished: AtomicU64::new(0),
                waiters: Waiters::default(),
                on_finished,
                shutdown,
            }),
        };
        let handles = (0..workers)
            .map(|n| {
                let q = queue.clone();
                tokio::spawn(async move { q.work(n).await })
            })
            .collect();
        (queue, handles)
    }

    /// Queues again what a crash left In Queue or Processing; returns how many.
    pub async fn recover(&self) -> Result<usize, StoreError> {
        let requeued = self.shared.store.requeue_processing().await?;
        let ids = self.shared.store.unfinished().await?;
        if !ids.is_empty() {
            tracing::info!(
                count = ids.len(),
                were_processing = requeued,
                "queueing submissions left unfinished"
            );
        }
        let n = ids.len();
        for id in ids {
            self.send(Queued::Id(id));
        }
        Ok(n)
    }

    /// Queues a submission that is in the store (In Queue), by its id.
    pub fn push(&self, id: i64) {
        self.send(Queued::Id(id));
    }

    /// Queues a submission just stored as `submission`: the worker takes it as it is,
    /// without reading it back.
    pub fn push_stored(&self, submission: Submission) {
        self.send(Queued::Row(Box::new(submission)));
    }

    fn send(&self, queued: Queued) {
        self.shared.pending.fetch_add(1, Ordering::SeqCst);
        if self.shared.sender.send(queued).is_err() {
            // The receiver lives in `shared` as long as any sender does.
            self.shared.pending.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// A future that resolves when submission `id`'s judging ends, with the finished row
    /// once its verdict is stored. Register before pushing.
    pub fn wait_for(&self, id: i64) -> oneshot::Receiver<Finished> {
        self.shared.waiters.add(id)
    }

    /// Submissions queued and not yet taken by a worker.
    pub fn pending(&self) -> usize {
        self.shared.pending.load(Ordering::SeqCst)
    }

    pub fn working(&self) -> usize {
        self.shared.working.load(Ordering::SeqCst)
    }

    /// Verdicts reached since start-up.
    pub fn finished(&self) -> u64 {
        self.shared.finished.load(Ordering::Relaxed)
    }

    pub fn stats(&self) -> QueueStats {
        QueueStats {
            pending: self.pending(),
            workers: self.shared.engine.pool().size(),
            working: self.working(),
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.shared.engine
    }

    async fn next(&self) -> Option<Queued> {
        let mut shutdown = self.shared.shutdown.clone();
        if *shutdown.borrow() {
            return None;
        }
        let mut receiver = self.shared.receiver.lock().await;
        tokio::select! {
            queued = receiver.recv() => queued,
            _ = shutdown.wait_for(|stop| *stop) => None,
        }
    }

    /// Judges one submission after another. A verdict is stored on a task of its own, so
    /// the worker (and its CPU) goes on to the next submission while the store commits; the
    /// worker waits for those tasks only when [`MAX_STORING`] are under way, and for all
    /// of them before it stops.
    async fn work(&self, n: usize) {
        let mut storing = JoinSet::new();
        while let Some(queued) = self.next().await {
            self.shared.pending.fetch_sub(1, Ordering::SeqCst);
            self.shared.working.fetch_add(1, Ordering::SeqCst);
            let id = match &queued {
                Queued::Row(s) => s.id,
                Queued::Id(id) => *id,
            };
            let span = tracing::info_span!("submission", id, worker = n);
            if let Some((done, outcome)) = self.judge(queued).instrument(span.clone()).await {
                let queue = self.clone();
                storing.spawn(
                    async move { queue.store_verdict(done, outcome).await }.instrument(span),
                );
            }
            self.shared.working.fetch_sub(1, Ordering::SeqCst);
            while storing.try_join_next().is_some() {}
            while storing.len() >= MAX_STORING {
                storing.join_next().await;
            }
        }
        while storing.join_next().await.is_some() {}
    }

    /// Judges a queued submission; returns it with its outcome, or `None` when there was
    /// nothing to judge.
    async fn judge(&self, queued: Queued) -> Option<(Submission, Outcome)> {
        let store = &self.shared.store;
        let submission = match queued {
            Queued::Row(s) => *s,
            Queued::Id(id) => match store.get_by_id(id).await {
                Ok(Some(s)) if !s.is_finished() => s,
                // Deleted, or judged already (queued twice by a recovery): nothing to do.
                Ok(_) => {
                    self.shared.waiters.wake(id, None);
                    return None;
                }
                Err(e) => {
                    tracing::error!(error = %e, "reading a queued submission; it stays queued in the store");
                    return None;
                }
            },
        };
        let id = submission.id;
        // The Processing mark is for clients polling the submission; recovery treats In
        // Queue and Processing alike, so nobody waits for it to be committed.
        let marking = Arc::clone(store);
        tokio::spawn(
            async move {
                if let Err(e) = marking.start(id).await {
                    tracing::warn!(error = %e, "marking a submission Processing");
                }
            }
            .in_current_span(),
        );
        let started = std::time::Instant::now();
        let verdict = self.shared.engine.judge(&job_of(&submission)).await;
        tracing::info!(
            language = submission.language_id,
            status = verdict.status.id(),
            took_ms = started.elapsed().as_millis() as u64,
            "judged"
        );
        Some((submission, outcome_of(verdict)))
    }

    /// Stores a verdict, then tells the waiters and the callback hook.
    async fn store_verdict(&self, mut done: Submission, outcome: Outcome) {
        let id = done.id;
        // The verdict must reach the store; a store that refuses (a full disk) is retried,
        // and if it never accepts, the row stays In Queue or Processing and is judged again
        // after a restart, so nothing is lost.
        let mut delay = Duration::from_millis(50);
        loop {
            match self.shared.store.finish(id, outcome.clone()).await {
                Ok(()) => break,
                Err(e) if delay < Duration::from_secs(30) => {
                    tracing::warn!(error = %e, "storing a verdict; retrying");
                    tokio::time::sleep(delay).await;
                    delay *= 2;
                }
                Err(e) => {
                    tracing::error!(error = %e, "storing a verdict failed; the submission will be judged again after a restart");
                    self.shared.waiters.wake(id, None);
                    return;
                }
            }
        }
        self.shared.finished.fetch_add(1, Ordering::Relaxed);
        apply(&mut done, outcome);
        let done = Arc::new(done);
        self.shared.waiters.wake(id, Some(Arc::clone(&done)));
        if let Some(hook) = &self.shared.on_finished {
            if done.callback_url.is_some() {
                hook(Arc::unwrap_or_clone(done));
            }
        }
    }
}

/// The engine's job for a stored submission.
pub fn job_of(s: &Submission) -> Job {
    Job {
        language_id: s.language_id,
        source_code: s.source_code.clone(),
        stdin: s.stdin.clone(),
        expected_output: s.expected_output.clone(),
        number_of_runs: s.number_of_runs,
        limits: JobLimits {
            cpu_time_limit: s.cpu_time_limit,
            cpu_extra_time: s.cpu_extra_time,
            wall_time_limit: s.wall_time_limit,
            memory_limit: s.memory_limit,
            stack_limit: s.stack_limit,
            max_processes_and_or_threads: u64::from(s.max_processes_and_or_threads),
            enable_per_process_and_thread_time_limit: s.enable_per_process_and_thread_time_limit,
            enable_per_process_and_thread_memory_limit: s
                .enable_per_process_and_thread_memory_limit,
            max_file_size: s.max_file_size,
        },
        compiler_options: s.compiler_options.clone(),
        command_line_arguments: s.command_line_arguments.clone(),
        redirect_stderr_to_stdout: s.redirect_stderr_to_stdout,
        enable_network: s.enable_network,
        additional_files: s.additional_files.clone(),
    }
}

/// The stored outcome of a verdict.
pub fn outcome_of(v: Verdict) -> Outcome {
    Outcome {
        status_id: v.status.id(),
        stdout: v.stdout,
        stderr: v.stderr,
        compile_output: v.compile_output,
        time: v.time,
        wall_time: v.wall_time,
        memory: v.memory,
        exit_code: v.exit_code,
        exit_signal: v.exit_signal,
        message: v.message,
        finished_at: Some(Timestamp::now()),
    }
}

fn apply(s: &mut Submission, o: Outcome) {
    s.status_id = o.status_id;
    s.stdout = o.stdout;
    s.stderr = o.stderr;
    s.compile_output = o.compile_output;
    s.time = o.time;
    s.wall_time = o.wall_time;
    s.memory = o.memory;
    s.exit_code = o.exit_code;
    s.exit_signal = o.exit_signal;
    s.message = o.message;
    s.finished_at = o.finished_at;
    debug_assert!(Status::from_id(s.status_id).is_some_and(Status::is_final));
}
