//! `callback_url`: when a submission reaches its verdict, Judge0 PUTs it (the default fields,
//! base64-encoded) to the URL the client gave. Tries are retried only when the request
//! itself fails (no answer within the timeout, no connection); any HTTP answer counts as
//! delivered. Callbacks run on their own tasks and never hold up a worker.

use std::sync::Arc;
use std::time::Duration;

use judgebox_engine::OnFinished;
use judgebox_store::Submission;

use crate::config::Config;
use crate::format::{render, Fields};
use crate::languages::LanguageTable;

/// The hook the engine's queue calls with every finished submission that has a callback.
pub fn hook(config: Arc<Config>, languages: Arc<LanguageTable>) -> OnFinished {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs_f64(config.callbacks_timeout.max(0.001)))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client with a timeout builds");
    Arc::new(move |submission: Submission| {
        let Some(url) = submission.callback_url.clone() else {
            return;
        };
        let view = crate::submissions::view_with(&languages, &submission);
        let Ok(body) = render(&view, Fields::default_set(), true) else {
            return;
        };
        let tries = config.callbacks_max_tries.max(1);
        let client = client.clone();
        let token = submission.token.clone();
        tokio::spawn(async move {
            for attempt in 1..=tries {
                match client.put(&url).json(&body).send().await {
                    Ok(response) => {
                        tracing::info!(%token, status = response.status().as_u16(), "callback delivered");
                        return;
                    }
                    Err(e) => {
                        tracing::warn!(%token, attempt, error = %e, "callback failed");
                    }
                }
            }
        });
    })
}
