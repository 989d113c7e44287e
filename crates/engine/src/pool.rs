//! A pool of jails, one per worker slot. A job leases a jail for its whole compile-and-run;
//! a jail that dies is replaced on its next lease, so a crash costs at most the submission
//! that was running in it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::jail::{Jail, JailCommand, JailError};

/// Which slots the pool's jails own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotPlan {
    /// Slots `first .. first + count`: a server's fixed workers.
    Fixed { first: u32, count: usize },
    /// `count` free one-shot slots chosen by the jails themselves (the CLI, tests).
    Ephemeral { count: usize },
}

impl SlotPlan {
    pub fn count(&self) -> usize {
        match *self {
            SlotPlan::Fixed { count, .. } | SlotPlan::Ephemeral { count } => count,
        }
    }
}

#[derive(Debug)]
struct Worker {
    slot: Option<u32>,
    jail: Option<Jail>,
}

#[derive(Debug)]
struct Shared {
    command: JailCommand,
    idle: Mutex<Vec<Worker>>,
    permits: Arc<Semaphore>,
    size: usize,
    started: AtomicU64,
}

/// The jails of one engine. Cheap to clone.
#[derive(Debug, Clone)]
pub struct JailPool {
    shared: Arc<Shared>,
}

impl JailPool {
    /// A pool whose jails are started on first use.
    pub fn new(command: JailCommand, plan: SlotPlan) -> JailPool {
        let workers: Vec<Worker> = (0..plan.count())
            .rev()
            .map(|i| Worker {
                slot: match plan {
                    SlotPlan::Fixed { first, .. } => Some(first + i as u32),
                    SlotPlan::Ephemeral { .. } => None,
                },
                jail: None,
            })
            .collect();
        JailPool {
            shared: Arc::new(Shared {
                command,
                size: workers.len(),
                idle: Mutex::new(workers),
                permits: Arc::new(Semaphore::new(plan.count())),
                started: AtomicU64::new(0),
            }),
        }
    }

    /// Starts every jail now, so that a host that cannot make boxes fails at start-up.
    pub async fn start_all(&self) -> Result<(), JailError> {
        let mut leases = Vec::new();
        for _ in 0..self.size() {
            let mut lease = self.lease().await;
            lease.jail()?;
            leases.push(lease);
        }
        Ok(())
    }

    /// Waits for an idle worker.
    pub async fn lease(&self) -> Lease {
        let permit = Arc::clone(&self.shared.permits)
            .acquire_owned()
            .await
            .expect("the pool's semaphore is never closed");
        let worker = self
            .shared
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop()
            .expect("a permit means an idle worker");
        Lease {
            shared: Arc::clone(&self.shared),
            worker: Some(worker),
            _permit: permit,
        }
    }

    pub fn size(&self) -> usize {
        self.shared.size
    }

    /// Workers not running a job right now.
    pub fn idle(&self) -> usize {
        self.shared.permits.available_permits()
    }

    /// Jails started so far, first starts and restarts together.
    pub fn jails_started(&self) -> u64 {
        self.shared.started.load(Ordering::Relaxed)
    }
}

/// A worker leased for one job; it goes back to the pool when dropped.
#[derive(Debug)]
pub struct Lease {
    shared: Arc<Shared>,
    worker: Option<Worker>,
    _permit: OwnedSemaphorePermit,
}

impl Lease {
    /// The worker's jail, started if it has none.
    pub fn jail(&mut self) -> Result<&mut Jail, JailError> {
        let worker = self.worker.as_mut().expect("a lease holds its worker");
        if worker.jail.is_none() {
            let jail = Jail::spawn(&self.shared.command, worker.slot)?;
            self.shared.started.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(slot = ?worker.slot, pid = ?jail.pid(), "jail started");
            worker.jail = Some(jail);
        }
        Ok(worker.jail.as_mut().expect("just started"))
    }

    /// Kills the worker's jail (it failed or cannot be trusted); the next lease starts anew.
    pub fn discard_jail(&mut self) {
        if let Some(worker) = self.worker.as_mut() {
            if worker.jail.take().is_some() {
                tracing::warn!(slot = ?worker.slot, "jail discarded");
            }
        }
    }

    pub fn slot(&self) -> Option<u32> {
        self.worker.as_ref().and_then(|w| w.slot)
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(worker) = self.worker.take() {
            // The list is only ever pushed to and popped from, so a lock poisoned by a panic
            // elsewhere still holds a consistent list.
            self.shared
                .idle
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .push(worker);
        }
    }
}
