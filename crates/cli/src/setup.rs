//! What `run`, `languages` and `serve` share: where languages and profiles come from, how
//! jails are started, and the engine built from them.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use judgebox_engine::{
    Catalog, Engine, EngineConfig, JailCommand, JailPool, SlotPlan, DEFAULT_VERSION_CACHE,
};
use judgebox_jail_client::jail_binary;
use judgebox_sandbox::cgroup::CgroupVersion;
use judgebox_sandbox::{current_cpu, SlotConfig};
use judgebox_spec::{Languages, Profiles};

/// Options for where languages and sandbox profiles come from and how jails start.
#[derive(Debug, Clone, Args)]
pub struct EngineOptions {
    /// A folder of language files to use instead of the built-in ones.
    #[arg(long, env = "JUDGEBOX_LANGUAGES", value_name = "DIR")]
    pub languages: Option<PathBuf>,
    /// A folder of sandbox profiles to use instead of the built-in ones.
    #[arg(long, env = "JUDGEBOX_PROFILES", value_name = "DIR")]
    pub profiles: Option<PathBuf>,
    /// Force a cgroup version instead of detecting it (v1 or v2).
    #[arg(long, value_name = "v1|v2")]
    pub cgroup_version: Option<CgroupVersion>,
    /// The cgroup root (for v2, a delegated directory).
    #[arg(long, value_name = "DIR")]
    pub cgroup_root: Option<PathBuf>,
    /// Where detected toolchain versions are kept, so that a toolchain is not started just
    /// to learn its version while its files are unchanged.
    #[arg(long, env = "JUDGEBOX_VERSION_CACHE", value_name = "FILE", default_value = DEFAULT_VERSION_CACHE)]
    pub version_cache: PathBuf,
}

impl EngineOptions {
    pub fn load_languages(&self) -> anyhow::Result<Languages> {
        Ok(match &self.languages {
            Some(dir) => Languages::load_dir(dir)?,
            None => Languages::builtin()?,
        })
    }

    /// The languages that could be `file`'s by its extension (all of them when it has none,
    /// or when they come from `--languages`, whose files must all be valid).
    pub fn load_languages_for(&self, file: &Path) -> anyhow::Result<Languages> {
        let ext = file.extension().and_then(|e| e.to_str());
        Ok(match (&self.languages, ext) {
            (None, Some(ext)) => Languages::builtin_for_extension(ext)?,
            _ => self.load_languages()?,
        })
    }

    /// Language `id` alone (its file is named for it), or none.
    pub fn load_language(&self, id: u32) -> anyhow::Result<Languages> {
        Ok(match &self.languages {
            Some(dir) => Languages::load_dir_one(dir, id)?,
            None => Languages::builtin_one(id)?,
        })
    }

    /// The command every jail of a pool starts with; `allow_network` lets runs that ask for
    /// it use the host's network.
    pub fn jail_command(&self, allow_network: bool) -> JailCommand {
        let mut args: Vec<OsString> = Vec::new();
        if let Some(dir) = &self.profiles {
            args.extend(["--profiles".into(), dir.clone().into_os_string()]);
        }
        if let Some(v) = &self.cgroup_version {
            args.extend(["--cgroup-version".into(), v.to_string().into()]);
        }
        if let Some(root) = &self.cgroup_root {
            args.extend(["--cgroup-root".into(), root.clone().into_os_string()]);
        }
        if allow_network {
            args.push("--allow-network".into());
        }
        JailCommand {
            binary: jail_binary(),
            args,
        }
    }

    /// Detects the installed toolchains of `languages` and starts an engine with `plan`'s
    /// jails.
    pub async fn engine(
        &self,
        languages: &Languages,
        plan: SlotPlan,
        config: EngineConfig,
    ) -> anyhow::Result<Engine> {
        let catalog = self.detect(languages).await;
        self.engine_with(catalog, plan, config).await
    }

    /// The installed toolchains of `languages`, from the version cache where it can.
    pub async fn detect(&self, languages: &Languages) -> Catalog {
        Catalog::detect_cached(languages.iter().cloned(), &self.version_cache).await
    }

    /// The sandbox settings of a box made in this process (`judgebox run`).
    pub fn slot_config(&self, allow_network: bool) -> SlotConfig {
        one_shot_slot_config(
            allow_network,
            self.cgroup_root.as_deref(),
            self.cgroup_version,
        )
    }

    pub fn load_profiles(&self) -> anyhow::Result<Profiles> {
        load_profiles(self.profiles.as_deref())
    }

    /// Starts an engine with `plan`'s jails for the languages of `catalog` as given.
    pub async fn engine_with(
        &self,
        catalog: Catalog,
        plan: SlotPlan,
        config: EngineConfig,
    ) -> anyhow::Result<Engine> {
        let pool = JailPool::new(self.jail_command(config.allow_network), plan);
        pool.start_all()
            .await
            .context("starting the jails (does `judgebox check` pass?)")?;
        Ok(Engine::new(pool, Arc::new(catalog), config))
    }
}

/// The settings of a one-shot slot opened by this process (`sandbox run`, `run`):
/// `allow_network` lets a run that asks for it use the host's network (whoever runs the CLI
/// as root is the operator).
pub fn one_shot_slot_config(
    allow_network: bool,
    cgroup_root: Option<&Path>,
    cgroup_version: Option<CgroupVersion>,
) -> SlotConfig {
    let mut config = SlotConfig {
        allow_network,
        require_landlock: std::env::var("JUDGEBOX_REQUIRE_LANDLOCK")
            .is_ok_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on")),
        // Where this process runs now (see `SlotConfig::cpu`).
        cpu: current_cpu(),
        ..SlotConfig::default()
    };
    if let Some(root) = cgroup_root {
        config.cgroup.root = root.to_path_buf();
    }
    config.cgroup.version = cgroup_version;
    config
}

/// The profiles in `dir`, or the built-in ones.
pub fn load_profiles(dir: Option<&Path>) -> anyhow::Result<Profiles> {
    Ok(match dir {
        Some(dir) => Profiles::load_dir(dir)?,
        None => Profiles::builtin()?,
    })
}

/// A multi-threaded runtime for the async commands.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}
