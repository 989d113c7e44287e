//! The SQLite store against real files in temporary directories.

mod common;

use std::collections::HashSet;
use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;

use common::{accepted, plain, token};
use judgebox_store::{
    NewSubmission, Outcome, SqliteStore, Store, StoreError, Submission, Timestamp, MILLIS_PER_DAY,
};

/// 2024-04-04T05:22:23.712Z
const NOW: i64 = 1_712_208_143_712;

async fn open() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("data")).await.unwrap();
    (dir, store)
}

/// The row `insert` + `finish` should produce.
fn expected(id: i64, new: &NewSubmission, status_id: u8, out: Option<&Outcome>) -> Submission {
    let new = new.clone();
    Submission {
        id,
        token: new.token,
        source_code: new.source_code,
        language_id: new.language_id,
        stdin: new.stdin,
        expected_output: new.expected_output,
        number_of_runs: new.number_of_runs,
        cpu_time_limit: new.cpu_time_limit,
        cpu_extra_time: new.cpu_extra_time,
        wall_time_limit: new.wall_time_limit,
        memory_limit: new.memory_limit,
        stack_limit: new.stack_limit,
        max_processes_and_or_threads: new.max_processes_and_or_threads,
        enable_per_process_and_thread_time_limit: new.enable_per_process_and_thread_time_limit,
        enable_per_process_and_thread_memory_limit: new.enable_per_process_and_thread_memory_limit,
        max_file_size: new.max_file_size,
        compiler_options: new.compiler_options,
        command_line_arguments: new.command_line_arguments,
        redirect_stderr_to_stdout: new.redirect_stderr_to_stdout,
        callback_url: new.callback_url,
        additional_files: new.additional_files,
        enable_network: new.enable_network,
        created_at: new.created_at,
        status_id,
        stdout: out.and_then(|o| o.stdout.clone()),
        stderr: out.and_then(|o| o.stderr.clone()),
        compile_output: out.and_then(|o| o.compile_output.clone()),
        time: out.and_then(|o| o.time),
        wall_time: out.and_then(|o| o.wall_time),
        memory: out.and_then(|o| o.memory),
        exit_code: out.and_then(|o| o.exit_code),
        exit_signal: out.and_then(|o| o.exit_signal),
        message: out.and_then(|o| o.message.clone()),
        finished_at: out.and_then(|o| o.finished_at),
    }
}

#[tokio::test]
async fn every_field_round_trips() {
    let (_dir, store) = open().await;
    let full = NewSubmission {
        token: token(1),
        // Not UTF-8, with a NUL in the middle.
        source_code: Some(vec![0xff, 0xfe, 0x00, b'x', 0x80]),
        language_id: 54,
        stdin: Some(vec![0xc3, 0x28, b'\n']),
        expected_output: Some(Vec::new()),
        number_of_runs: 20,
        cpu_time_limit: 0.5,
        cpu_extra_time: 0.1,
        wall_time_limit: 15.0,
        memory_limit: 512_000,
        stack_limit: 0,
        max_processes_and_or_threads: 120,
        enable_per_process_and_thread_time_limit: true,
        enable_per_process_and_thread_memory_limit: true,
        max_file_size: 4096,
        compiler_options: Some("-O2 -std=c++17 ünïcode".to_owned()),
        command_line_arguments: Some("a 'b c'".to_owned()),
        redirect_stderr_to_stdout: true,
        callback_url: Some("http://example.invalid/cb".to_owned()),
        additional_files: Some(vec![b'P', b'K', 3, 4, 0, 0xff]),
        enable_network: true,
        created_at: Timestamp(NOW),
    };
    let empty = NewSubmission {
        source_code: None,
        ..plain(&token(2), NOW + 1)
    };
    let ids = store
        .insert(vec![full.clone(), empty.clone()])
        .await
        .unwrap();
    assert_eq!(ids.len(), 2);
    assert!(ids[0] < ids[1], "ids follow the order of the call");

    assert_eq!(
        store.get(&full.token).await.unwrap(),
        Some(expected(ids[0], &full, 1, None))
    );
    assert_eq!(
        store.get_by_id(ids[1]).await.unwrap(),
        Some(expected(ids[1], &empty, 1, None))
    );
    // What the queue hands a worker instead of reading the row back is that row.
    assert_eq!(
        Some(Submission::queued(ids[0], full.clone())),
        store.get_by_id(ids[0]).await.unwrap()
    );
    assert_eq!(
        Some(Submission::queued(ids[1], empty.clone())),
        store.get_by_id(ids[1]).await.unwrap()
    );

    let outcome = Outcome {
        status_id: 11,
        stdout: Some(vec![0xff, 0x00]),
        stderr: Some(b"Traceback\n".to_vec()),
        compile_output: Some(Vec::new()),
        time: Some(0.5),
        wall_time: Some(15.0),
        memory: Some(u64::from(u32::MAX) + 1),
        exit_code: Some(-1),
        exit_signal: Some(11),
        message: Some("Exited with error status 1".to_owned()),
        finished_at: Some(Timestamp(NOW + 1234)),
    };
    assert!(store.start(ids[0]).await.unwrap());
    store.finish(ids[0], outcome.clone()).await.unwrap();
    assert_eq!(
        store.get(&full.token).await.unwrap(),
        Some(expected(ids[0], &full, 11, Some(&outcome)))
    );
    // An outcome with nothing set leaves every output NULL.
    let bare = Outcome {
        status_id: 13,
        stdout: None,
        stderr: None,
        compile_output: None,
        time: None,
        wall_time: None,
        memory: None,
        exit_code: None,
        exit_signal: None,
        message: None,
        finished_at: None,
    };
    store.finish(ids[1], bare.clone()).await.unwrap();
    assert_eq!(
        store.get_by_id(ids[1]).await.unwrap(),
        Some(expected(ids[1], &empty, 13, Some(&bare)))
    );

    assert_eq!(store.get("no-such-token").await.unwrap(), None);
    assert_eq!(store.get_by_id(9_999).await.unwrap(), None);
    assert_eq!(store.insert(Vec::new()).await.unwrap(), Vec::<i64>::new());
}

#[tokio::test]
async fn list_is_newest_first_with_totals() {
    let (_dir, store) = open().await;
    // created_at out of insertion order, with a tie broken by id (newer id first).
    let created = [NOW + 30, NOW + 10, NOW + 20, NOW + 20, NOW];
    let subs = created
        .iter()
        .enumerate()
        .map(|(i, &at)| plain(&token(i as u64), at))
        .collect();
    store.insert(subs).await.unwrap();
    let order = [token(0), token(3), token(2), token(1), token(4)];

    let tokens = |page: Vec<Submission>| page.into_iter().map(|s| s.token).collect::<Vec<_>>();
    let (page, total) = store.list(1, 2).await.unwrap();
    assert_eq!((tokens(page), total), (order[0..2].to_vec(), 5));
    let (page, total) = store.list(2, 2).await.unwrap();
    assert_eq!((tokens(page), total), (order[2..4].to_vec(), 5));
    let (page, total) = store.list(3, 2).await.unwrap();
    assert_eq!((tokens(page), total), (order[4..].to_vec(), 5));
    let (page, total) = store.list(4, 2).await.unwrap();
    assert_eq!((tokens(page), total), (Vec::<String>::new(), 5));
    let (page, _) = store.list(1, 20).await.unwrap();
    assert_eq!(tokens(page), order.to_vec());
    // Page 0 reads as page 1; per_page 0 still counts.
    let (page, _) = store.list(0, 2).await.unwrap();
    assert_eq!(tokens(page), order[0..2].to_vec());
    let (page, total) = store.list(1, 0).await.unwrap();
    assert_eq!((page.len(), total), (0, 5));
    // Huge values do not overflow.
    let (page, total) = store.list(u64::MAX, u64::MAX).await.unwrap();
    assert_eq!((page.len(), total), (0, 5));
}

#[tokio::test]
async fn get_many_keeps_request_order() {
    let (_dir, store) = open().await;
    store
        .insert(vec![plain(&token(1), NOW), plain(&token(2), NOW)])
        .await
        .unwrap();
    let asked = vec![token(2), "unknown".to_owned(), token(1), token(2)];
    let got: Vec<Option<String>> = store
        .get_many(&asked)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.map(|s| s.token))
        .collect();
    assert_eq!(
        got,
        vec![Some(token(2)), None, Some(token(1)), Some(token(2))]
    );
    assert!(store.get_many(&[]).await.unwrap().is_empty());
}

#[tokio::test]
async fn start_and_finish_move_the_status() {
    let (_dir, store) = open().await;
    let ids = store
        .insert(vec![plain(&token(1), NOW), plain(&token(2), NOW)])
        .await
        .unwrap();
    assert_eq!(store.queue_len().await.unwrap(), 2);
    assert_eq!(store.unfinished().await.unwrap(), ids);

    assert!(store.start(ids[0]).await.unwrap());
    assert!(
        !store.start(ids[0]).await.unwrap(),
        "a row is taken only once"
    );
    assert_eq!(store.get_by_id(ids[0]).await.unwrap().unwrap().status_id, 2);
    assert_eq!(store.queue_len().await.unwrap(), 1);
    assert_eq!(store.unfinished().await.unwrap(), ids);

    store.finish(ids[0], accepted(NOW + 5)).await.unwrap();
    let done = store.get_by_id(ids[0]).await.unwrap().unwrap();
    assert_eq!(done.status_id, 3);
    assert!(done.is_finished());
    assert!(
        !store.start(ids[0]).await.unwrap(),
        "finished rows stay finished"
    );
    assert_eq!(store.unfinished().await.unwrap(), vec![ids[1]]);
    assert!(!store.start(9_999).await.unwrap());

    match store.finish(9_999, accepted(NOW)).await {
        Err(StoreError::NoSuchSubmission { id: 9_999 }) => {}
        other => panic!("finish of an unknown id gave {other:?}"),
    }
}

#[tokio::test]
async fn a_crash_leaves_work_to_requeue() {
    let dir = tempfile::tempdir().unwrap();
    let ids = {
        let store = SqliteStore::open(dir.path()).await.unwrap();
        let subs = (0..4).map(|i| plain(&token(i), NOW)).collect();
        let ids = store.insert(subs).await.unwrap();
        assert!(store.start(ids[0]).await.unwrap());
        assert!(store.start(ids[1]).await.unwrap());
        store.finish(ids[1], accepted(NOW)).await.unwrap();
        assert!(store.start(ids[2]).await.unwrap());
        // Dropped, not closed: the rows at 2 were never finished.
        ids
    };
    let store = SqliteStore::open(dir.path()).await.unwrap();
    assert_eq!(
        store.unfinished().await.unwrap(),
        vec![ids[0], ids[2], ids[3]]
    );
    assert_eq!(store.queue_len().await.unwrap(), 1);
    assert_eq!(store.requeue_processing().await.unwrap(), 2);
    assert_eq!(store.requeue_processing().await.unwrap(), 0);
    assert_eq!(store.queue_len().await.unwrap(), 3);
    assert_eq!(
        store.unfinished().await.unwrap(),
        vec![ids[0], ids[2], ids[3]]
    );
    assert_eq!(store.get_by_id(ids[1]).await.unwrap().unwrap().status_id, 3);
    // Ids keep growing across restarts.
    let next = store.insert(vec![plain(&token(9), NOW)]).await.unwrap();
    assert!(next[0] > ids[3]);
    store.close().await;
}

#[tokio::test]
async fn delete_returns_the_row_and_ids_are_not_reused() {
    let (_dir, store) = open().await;
    let ids = store
        .insert(vec![plain(&token(1), NOW), plain(&token(2), NOW)])
        .await
        .unwrap();
    store.finish(ids[1], accepted(NOW)).await.unwrap();
    let gone = store.delete(&token(2)).await.unwrap().unwrap();
    assert_eq!((gone.id, gone.status_id), (ids[1], 3));
    assert_eq!(gone.stdout.as_deref(), Some(&b"1\n"[..]));
    assert_eq!(store.get(&token(2)).await.unwrap(), None);
    assert_eq!(store.delete(&token(2)).await.unwrap(), None);
    // The newest row was deleted; the next id is still a new one.
    let next = store.insert(vec![plain(&token(3), NOW)]).await.unwrap();
    assert!(next[0] > ids[1]);
}

#[tokio::test]
async fn concurrent_inserts_all_land() {
    let (_dir, store) = open().await;
    let store: Arc<dyn Store> = Arc::new(store);
    let tasks: Vec<_> = (0..16u64)
        .map(|task| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let mut ids = Vec::new();
                for i in 0..50 {
                    let sub = plain(&token(task * 1000 + i), NOW);
                    ids.extend(store.insert(vec![sub]).await.unwrap());
                }
                ids
            })
        })
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        let ids = task.await.unwrap();
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "one caller's ids ascend"
        );
        all.extend(ids);
    }
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 800);
    assert_eq!(store.list(1, 1).await.unwrap().1, 800);
    assert_eq!(store.queue_len().await.unwrap(), 800);
}

#[tokio::test]
async fn a_duplicate_token_fails_only_its_own_call() {
    let (_dir, store) = open().await;
    store.insert(vec![plain(&token(1), NOW)]).await.unwrap();
    match store
        .insert(vec![plain(&token(2), NOW), plain(&token(1), NOW)])
        .await
    {
        Err(StoreError::DuplicateToken { token: t }) => assert_eq!(t, token(1)),
        other => panic!("a duplicate token gave {other:?}"),
    }
    assert_eq!(
        store.get(&token(2)).await.unwrap(),
        None,
        "all or none: the call's other rows are undone"
    );
    assert!(matches!(
        store
            .insert(vec![plain(&token(3), NOW), plain(&token(3), NOW)])
            .await,
        Err(StoreError::DuplicateToken { .. })
    ));

    // Sent together so that they share a group commit: the failing one does not take the
    // others down with it.
    let store = Arc::new(store);
    let tasks: Vec<_> = (10..40u64)
        .map(|i| {
            let store = Arc::clone(&store);
            // Every third call repeats token 1.
            let t = if i % 3 == 0 { token(1) } else { token(i) };
            tokio::spawn(async move { (i, store.insert(vec![plain(&t, NOW)]).await) })
        })
        .collect();
    for task in tasks {
        let (i, result) = task.await.unwrap();
        if i % 3 == 0 {
            assert!(matches!(result, Err(StoreError::DuplicateToken { .. })));
        } else {
            result.unwrap();
            assert!(store.get(&token(i)).await.unwrap().is_some());
        }
    }
    assert_eq!(store.list(1, 1).await.unwrap().1, 1 + 20);
}

#[tokio::test]
async fn values_that_do_not_fit_are_errors() {
    let (_dir, store) = open().await;
    let huge = NewSubmission {
        memory_limit: u64::MAX,
        ..plain(&token(1), NOW)
    };
    assert!(matches!(
        store.insert(vec![huge]).await,
        Err(StoreError::OutOfRange {
            field: "memory_limit",
            ..
        })
    ));
    assert_eq!(store.list(1, 1).await.unwrap().1, 0);
}

#[tokio::test]
async fn purge_clears_only_old_finished_contents() {
    let (_dir, store) = open().await;
    let cutoff = NOW;
    let full = |n| NewSubmission {
        stdin: Some(b"in".to_vec()),
        expected_output: Some(b"out".to_vec()),
        compiler_options: Some("-O2".to_owned()),
        command_line_arguments: Some("x".to_owned()),
        additional_files: Some(b"PK".to_vec()),
        ..plain(&token(n), NOW - 10 * MILLIS_PER_DAY)
    };
    let ids = store
        .insert(vec![full(1), full(2), full(3), full(4)])
        .await
        .unwrap();
    store.finish(ids[0], accepted(cutoff - 1)).await.unwrap(); // old: purged
    store.finish(ids[1], accepted(cutoff)).await.unwrap(); // not before the cutoff
    assert!(store.start(ids[2]).await.unwrap()); // old but unfinished
    let no_time = Outcome {
        finished_at: None,
        ..accepted(0)
    };
    store.finish(ids[3], no_time).await.unwrap(); // finished, time unknown

    assert_eq!(store.purge_before(Timestamp(cutoff)).await.unwrap(), 1);
    assert_eq!(store.purge_before(Timestamp(cutoff)).await.unwrap(), 0);

    let purged = store.get_by_id(ids[0]).await.unwrap().unwrap();
    let before = expected(ids[0], &full(1), 3, Some(&accepted(cutoff - 1)));
    assert_eq!(
        purged,
        Submission {
            source_code: None,
            stdin: None,
            expected_output: None,
            stdout: None,
            stderr: None,
            compile_output: None,
            additional_files: None,
            command_line_arguments: None,
            compiler_options: None,
            ..before
        },
        "figures, status, token and limits stay"
    );
    for id in &ids[1..] {
        let kept = store.get_by_id(*id).await.unwrap().unwrap();
        assert!(kept.source_code.is_some() && kept.stdin.is_some());
    }
}

#[tokio::test]
async fn statistics_count_by_day_language_and_status() {
    let (_dir, store) = open().await;
    let today = Timestamp(NOW).start_of_utc_day().as_millis();
    let day = MILLIS_PER_DAY;
    let rows = [
        (NOW, 71),             // today
        (today, 71),           // today, first millisecond
        (today - 1, 54),       // yesterday, last millisecond
        (today - 3 * day, 54), // 2024-04-01
        (today - 3 * day + 5, 62),
        (today - 30 * day, 71),     // 2024-03-05, the oldest day counted
        (today - 30 * day - 1, 71), // 2024-03-04, too old for last_30_days
        (NOW + day, 50),            // tomorrow (a clock step): today counts it, the days do not
    ];
    let subs = rows
        .iter()
        .enumerate()
        .map(|(i, &(at, lang))| NewSubmission {
            language_id: lang,
            ..plain(&token(i as u64), at)
        })
        .collect();
    let ids = store.insert(subs).await.unwrap();
    for &id in &ids[..3] {
        store.finish(id, accepted(NOW)).await.unwrap();
    }
    assert!(store.start(ids[3]).await.unwrap());

    let stats = store.statistics(Timestamp(NOW)).await.unwrap();
    assert_eq!(stats.total, 8);
    assert_eq!(stats.today, 3);
    assert_eq!(
        stats.last_30_days,
        vec![
            ("2024-04-03".to_owned(), 1),
            ("2024-04-01".to_owned(), 2),
            ("2024-03-05".to_owned(), 1),
        ]
    );
    assert_eq!(stats.languages, vec![(71, 4), (54, 2), (50, 1), (62, 1)]);
    assert_eq!(stats.statuses, vec![(1, 4), (3, 3), (2, 1)]);
    assert!(stats.database_size > 0);
}

#[tokio::test]
async fn open_creates_a_private_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("a/b");
    let store = SqliteStore::open(&data).await.unwrap();
    assert_eq!(store.path(), data.join(SqliteStore::FILE_NAME));
    let mode = std::fs::metadata(&data).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
    store.close().await;
    // Reopening an existing file with the schema in place works.
    let store = SqliteStore::open(&data).await.unwrap();
    assert_eq!(store.queue_len().await.unwrap(), 0);

    // A data directory that is a file cannot be used.
    let file = dir.path().join("file");
    std::fs::write(&file, b"").unwrap();
    assert!(matches!(
        SqliteStore::open(&file).await,
        Err(StoreError::DataDir { .. })
    ));
}
