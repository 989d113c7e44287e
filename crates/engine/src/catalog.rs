//! The languages this host can serve: every language file, with the toolchain version found
//! installed (once, at start-up), or the reason it cannot be served.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use judgebox_spec::{extract_version, LanguageSpec, Languages};
use tokio::process::Command;
use tokio::sync::Semaphore;

use crate::versions::{self, VersionCache};

/// How long a version command may take (a JVM-based compiler's first start is slow).
const VERSION_TIMEOUT: Duration = Duration::from_secs(30);
/// Version commands run at once; JVMs starting together on two cores crawl.
const VERSION_PARALLELISM: usize = 6;

/// One language as this host serves it.
#[derive(Debug, Clone, PartialEq)]
pub struct Language {
    pub spec: LanguageSpec,
    /// The installed toolchain's version, `None` when it is not installed.
    pub version: Option<String>,
    /// The served name: the version filled in, or Judge0's name when not installed.
    pub name: String,
    /// Why it cannot be served, when it cannot.
    pub unavailable: Option<String>,
}

impl Language {
    /// A language whose toolchain was found (or one without a version, given as found).
    pub fn new(spec: LanguageSpec, version: Result<String, String>) -> Language {
        match version {
            Ok(v) => Language {
                name: spec.display_name(Some(&v)),
                version: Some(v),
                unavailable: None,
                spec,
            },
            Err(why) => Language {
                name: spec.display_name(None),
                version: None,
                unavailable: Some(why),
                spec,
            },
        }
    }

    pub fn id(&self) -> u32 {
        self.spec.id
    }

    pub fn is_available(&self) -> bool {
        self.unavailable.is_none()
    }
}

/// Every language, by id.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    by_id: BTreeMap<u32, Arc<Language>>,
}

impl Catalog {
    /// Runs every language's version command (on the host: they are fixed commands from the
    /// language files, never submission data) and records what it found.
    pub async fn detect(languages: &Languages) -> Catalog {
        Catalog::detect_specs(languages.iter().cloned()).await
    }

    /// [`Catalog::detect`] for some languages only (`judgebox run` needs one).
    pub async fn detect_specs(specs: impl IntoIterator<Item = LanguageSpec>) -> Catalog {
        let gate = Arc::new(Semaphore::new(VERSION_PARALLELISM));
        let mut tasks = tokio::task::JoinSet::new();
        for spec in specs {
            let gate = Arc::clone(&gate);
            tasks.spawn(async move {
                let _turn = gate.acquire_owned().await;
                let version = installed_version(&spec).await;
                Language::new(spec, version)
            });
        }
        let mut by_id = BTreeMap::new();
        while let Some(done) = tasks.join_next().await {
            let language = done.expect("version detection does not panic");
            by_id.insert(language.id(), Arc::new(language));
        }
        Catalog { by_id }
    }

    /// [`Catalog::detect_specs`], with the versions kept in `cache` (see [`VersionCache`])
    /// for toolchains unchanged since; the versions found are kept there for next time.
    pub async fn detect_cached(
        specs: impl IntoIterator<Item = LanguageSpec>,
        cache: &Path,
    ) -> Catalog {
        let mut cache = VersionCache::open(cache);
        let mut known = Vec::new();
        let mut unknown = Vec::new();
        let mut identities = BTreeMap::new();
        for spec in specs {
            match cache.lookup(&spec).filter(|_| spec.unavailable.is_none()) {
                Some(version) => known.push(Language::new(spec, Ok(version))),
                None => {
                    identities.insert(spec.id, versions::identity(&spec));
                    unknown.push(spec);
                }
            }
        }
        let mut catalog = Catalog::detect_specs(unknown).await;
        for language in catalog.iter() {
            if let (Some(version), Some(files)) =
                (&language.version, identities.remove(&language.id()))
            {
                cache.record(&language.spec, files, version);
            }
        }
        cache.save();
        for language in known {
            catalog.by_id.insert(language.id(), Arc::new(language));
        }
        catalog
    }

    /// A catalog of languages whose versions are already known (tests, a cached detection).
    pub fn from_languages(languages: impl IntoIterator<Item = Language>) -> Catalog {
        Catalog {
            by_id: languages
                .into_iter()
                .map(|l| (l.id(), Arc::new(l)))
                .collect(),
        }
    }

    pub fn get(&self, id: u32) -> Option<&Arc<Language>> {
        self.by_id.get(&id)
    }

    /// Every language in id order.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<Language>> {
        self.by_id.values()
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

async fn installed_version(spec: &LanguageSpec) -> Result<String, String> {
    if let Some(why) = &spec.unavailable {
        return Err(why.clone());
    }
    let (program, args) = spec
        .version
        .split_first()
        .ok_or_else(|| "no version command".to_string())?;
    let run = Command::new(program)
        .args(args)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", "/tmp")
        .env("LANG", "C.UTF-8")
        .current_dir("/")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .output();
    let output = match tokio::time::timeout(VERSION_TIMEOUT, run).await {
        Err(_) => {
            return Err(format!(
                "`{program}` did not answer within {VERSION_TIMEOUT:?}"
            ))
        }
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!(
                "not installed (`{program}` not found; Debian packages: {})",
                spec.packages.join(" ")
            ))
        }
        Ok(Err(e)) => return Err(format!("running `{program}`: {e}")),
        Ok(Ok(output)) => output,
    };
    if !output.status.success() {
        return Err(format!(
            "not installed (`{}` failed: {})",
            spec.version.join(" "),
            output.status
        ));
    }
    let text = [output.stdout, output.stderr].concat();
    extract_version(&String::from_utf8_lossy(&text))
        .ok_or_else(|| format!("`{}` printed no version", spec.version.join(" ")))
}
