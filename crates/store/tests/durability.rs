//! An `insert` that has returned survives the process being killed at any moment.
//!
//! The test runs this same test binary again as a child (only `durability_child`, guarded
//! by an environment variable), which inserts rows from several tasks and prints each token
//! once its `insert` has returned. The parent SIGKILLs the child mid-stream, reopens the
//! file and looks for every token the child printed.
//!
//! SIGKILL tests what the process could lose (nothing may be buffered in the writer after
//! `insert` returns); surviving a power cut also rests on the fsync that
//! `synchronous=FULL` performs at every commit, which a test cannot cut.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::sync::Arc;

use common::{plain, token};
use judgebox_store::{SqliteStore, Store, Timestamp};

/// Set in the child's environment to the data directory it writes to.
const CHILD_DIR: &str = "JUDGEBOX_STORE_DURABILITY_CHILD_DIR";
/// The child is killed once the parent has read this many tokens.
const KILL_AFTER: usize = 300;
const CHILD_TASKS: u64 = 4;

/// The child's side. In an ordinary test run (no environment variable) it does nothing.
#[test]
fn durability_child() {
    let Some(dir) = std::env::var_os(CHILD_DIR) else {
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.as_ref()).await.unwrap());
        let tasks: Vec<_> = (0..CHILD_TASKS)
            .map(|task| {
                let store = Arc::clone(&store);
                tokio::spawn(async move {
                    // Runs until killed.
                    for i in 0.. {
                        let t = token(task << 32 | i);
                        store
                            .insert(vec![plain(&t, Timestamp::now().as_millis())])
                            .await
                            .unwrap();
                        let mut out = std::io::stdout().lock();
                        writeln!(out, "inserted {t}").unwrap();
                        out.flush().unwrap();
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });
}

#[test]
fn returned_inserts_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "durability_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DIR, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut tokens = Vec::new();
    // Reads to the end: lines the child wrote before it died are still in the pipe.
    for line in stdout.lines() {
        let line = line.unwrap();
        if let Some(t) = line.strip_prefix("inserted ") {
            tokens.push(t.to_owned());
            if tokens.len() == KILL_AFTER {
                child.kill().unwrap();
            }
        }
    }
    let status = child.wait().unwrap();
    eprintln!("the child printed {} tokens before it died", tokens.len());
    assert_eq!(status.signal(), Some(9), "the child was killed: {status:?}");
    assert!(tokens.len() >= KILL_AFTER, "only {} rows", tokens.len());

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = SqliteStore::open(dir.path()).await.unwrap();
        let found = store.get_many(&tokens).await.unwrap();
        let lost: Vec<_> = tokens
            .iter()
            .zip(&found)
            .filter(|(_, row)| row.is_none())
            .map(|(t, _)| t)
            .collect();
        assert!(
            lost.is_empty(),
            "rows lost after their insert returned: {lost:?}"
        );
        // Rows whose insert had not yet returned may or may not be there; never more.
        let (_, total) = store.list(1, 1).await.unwrap();
        assert!(total >= tokens.len() as u64);
        assert!(total <= tokens.len() as u64 + CHILD_TASKS);
        store.close().await;
    });
}
