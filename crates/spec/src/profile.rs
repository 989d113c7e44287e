//! Sandbox profiles: the mount layout, environment, limits and seccomp policy of a kind of
//! run, as data files in `sandbox-profiles/`.
//!
//! A profile `NAME` is `NAME.toml`; its `seccomp` key names a seccompiler JSON policy in the
//! same folder. The repository's own profiles are compiled into the binary, so a jail works
//! from anywhere; an operator's folder, when given, replaces them.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;

use crate::Limits;

/// A read-only bind mount of a host path into the box.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BindMount {
    /// Absolute host path.
    pub source: PathBuf,
    /// Absolute path in the box; the same as `source` when left out.
    #[serde(default)]
    pub target: Option<PathBuf>,
    /// Skip the mount when the host has no such path (a toolchain that is not installed).
    #[serde(default)]
    pub optional: bool,
    /// Why the box needs it; required, so every hole in the wall is explained.
    pub why: String,
}

impl BindMount {
    pub fn target(&self) -> &Path {
        self.target.as_deref().unwrap_or(&self.source)
    }
}

/// A symbolic link created in the box's (read-only) root, e.g. `/bin -> usr/bin`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Symlink {
    pub path: PathBuf,
    pub target: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    description: String,
    seccomp: String,
    #[serde(default)]
    env: Vec<String>,
    box_size: u64,
    tmp_size: u64,
    #[serde(default, rename = "bind")]
    binds: Vec<BindMount>,
    #[serde(default, rename = "symlink")]
    symlinks: Vec<Symlink>,
    defaults: Limits,
    maximums: Limits,
}

/// A loaded, validated profile.
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    pub description: String,
    /// The seccompiler JSON policy's text.
    pub seccomp_json: String,
    pub seccomp_file: String,
    /// `NAME=value` entries; the program's whole environment unless a request adds to it.
    pub env: Vec<String>,
    /// Size of the `/box` tmpfs, KB.
    pub box_size: u64,
    /// Size of the `/tmp` tmpfs, KB.
    pub tmp_size: u64,
    pub binds: Vec<BindMount>,
    pub symlinks: Vec<Symlink>,
    pub defaults: Limits,
    pub maximums: Limits,
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("reading {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("no sandbox profile named {0:?}")]
    Unknown(String),
}

/// Paths the box builds itself; a profile may not mount over them.
const RESERVED: &[&str] = &["/", "/box", "/tmp", "/proc", "/dev"];

/// The profiles shipped in the repository's `sandbox-profiles/`, compiled in.
const BUILTIN: &[(&str, &str)] = &[
    (
        "run.toml",
        include_str!("../../../sandbox-profiles/run.toml"),
    ),
    (
        "compile.toml",
        include_str!("../../../sandbox-profiles/compile.toml"),
    ),
    (
        "box.seccomp.json",
        include_str!("../../../sandbox-profiles/box.seccomp.json"),
    ),
];

/// Every profile available to a jail, by name.
#[derive(Debug, Clone)]
pub struct Profiles {
    by_name: BTreeMap<String, Profile>,
}

impl Profiles {
    /// The profiles compiled into the binary.
    pub fn builtin() -> Result<Self, ProfileError> {
        Self::from_files(
            BUILTIN.iter().map(|(n, t)| (n.to_string(), t.to_string())),
            Path::new("<builtin>"),
        )
    }

    /// Every `*.toml` in `dir`, each with the seccomp policy it names.
    pub fn load_dir(dir: &Path) -> Result<Self, ProfileError> {
        let read_err = |path: &Path, source| ProfileError::Read {
            path: path.to_path_buf(),
            source,
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| read_err(dir, e))? {
            let path = entry.map_err(|e| read_err(dir, e))?.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if name.ends_with(".toml") || name.ends_with(".json") {
                let text = std::fs::read_to_string(&path).map_err(|e| read_err(&path, e))?;
                files.push((name.to_string(), text));
            }
        }
        Self::from_files(files.into_iter(), dir)
    }

    fn from_files(
        files: impl Iterator<Item = (String, String)>,
        dir: &Path,
    ) -> Result<Self, ProfileError> {
        let files: BTreeMap<String, String> = files.collect();
        let mut by_name = BTreeMap::new();
        for (file, text) in &files {
            let Some(name) = file.strip_suffix(".toml") else {
                continue;
            };
            let path = dir.join(file);
            let invalid = |message: String| ProfileError::Invalid {
                path: path.clone(),
                message,
            };
            let raw: ProfileFile = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
            let seccomp_json = files
                .get(&raw.seccomp)
                .ok_or_else(|| {
                    invalid(format!(
                        "seccomp policy {:?} not found beside it",
                        raw.seccomp
                    ))
                })?
                .clone();
            let profile = Profile {
                name: name.to_string(),
                description: raw.description,
                seccomp_json,
                seccomp_file: raw.seccomp,
                env: raw.env,
                box_size: raw.box_size,
                tmp_size: raw.tmp_size,
                binds: raw.binds,
                symlinks: raw.symlinks,
                defaults: raw.defaults,
                maximums: raw.maximums,
            };
            profile.validate().map_err(invalid)?;
            by_name.insert(name.to_string(), profile);
        }
        if by_name.is_empty() {
            return Err(ProfileError::Invalid {
                path: dir.to_path_buf(),
                message: "no profiles (*.toml) found".into(),
            });
        }
        Ok(Profiles { by_name })
    }

    pub fn get(&self, name: &str) -> Result<&Profile, ProfileError> {
        self.by_name
            .get(name)
            .ok_or_else(|| ProfileError::Unknown(name.to_string()))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Profile> {
        self.by_name.values()
    }
}

fn is_clean_absolute(p: &Path) -> bool {
    p.is_absolute()
        && p.components()
            .all(|c| matches!(c, Component::RootDir | Component::Normal(_)))
}

impl Profile {
    fn validate(&self) -> Result<(), String> {
        if !self
            .name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(format!(
                "profile name {:?} must be lowercase letters, digits and '-'",
                self.name
            ));
        }
        for bind in &self.binds {
            for p in [&bind.source, &bind.target().to_path_buf()] {
                if !is_clean_absolute(p) {
                    return Err(format!("bind path {p:?} must be absolute, without '..'"));
                }
            }
            let target = bind.target();
            let reserved = |r: &&str| match *r {
                "/" => target == Path::new("/"),
                r => target.starts_with(r),
            };
            if RESERVED.iter().any(reserved) {
                return Err(format!("bind target {target:?} is built by the box itself"));
            }
        }
        for link in &self.symlinks {
            if !is_clean_absolute(&link.path) || link.path == Path::new("/") {
                return Err(format!(
                    "symlink path {:?} must be absolute, without '..'",
                    link.path
                ));
            }
        }
        for entry in &self.env {
            if !entry.contains('=') || entry.starts_with('=') {
                return Err(format!("env entry {entry:?} must be NAME=value"));
            }
        }
        if self.box_size == 0 || self.tmp_size == 0 {
            return Err("box_size and tmp_size must be greater than 0".into());
        }
        let (d, m) = (&self.defaults, &self.maximums);
        let pairs = [
            ("cpu_time", d.cpu_time, m.cpu_time),
            ("wall_time", d.wall_time, m.wall_time),
            ("memory", d.memory as f64, m.memory as f64),
            ("stack", d.stack as f64, m.stack as f64),
            ("processes", d.processes as f64, m.processes as f64),
            ("file_size", d.file_size as f64, m.file_size as f64),
            ("output", d.output as f64, m.output as f64),
            ("open_files", d.open_files as f64, m.open_files as f64),
        ];
        for (field, default, max) in pairs {
            if !(default > 0.0 && default <= max) {
                return Err(format!(
                    "default {field} {default} must be > 0 and <= maximum {max}"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_profiles_load_and_include_run_and_compile() {
        let p = Profiles::builtin().unwrap();
        let run = p.get("run").unwrap();
        let compile = p.get("compile").unwrap();
        assert!(run.binds.iter().any(|b| b.source == Path::new("/usr")));
        assert!(compile.maximums.cpu_time >= run.defaults.cpu_time);
        assert!(p.get("nope").is_err());
    }

    #[test]
    fn repository_folder_loads_every_file_strictly() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sandbox-profiles");
        let p = Profiles::load_dir(&dir).unwrap();
        let names: Vec<&str> = p.iter().map(|p| p.name.as_str()).collect();
        assert!(
            names.contains(&"run") && names.contains(&"compile"),
            "{names:?}"
        );
        // Every file in the folder is either a profile or a policy some profile uses.
        for entry in std::fs::read_dir(&dir).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            if let Some(stem) = name.strip_suffix(".toml") {
                assert!(p.get(stem).is_ok());
            } else if name != "README.md" {
                assert!(
                    p.iter().any(|pr| pr.seccomp_file == name),
                    "{name} is used by no profile"
                );
            }
        }
    }

    fn write_profile(dir: &Path, body: &str) -> Result<Profiles, ProfileError> {
        std::fs::write(dir.join("p.toml"), body).unwrap();
        std::fs::write(dir.join("s.json"), "{}").unwrap();
        Profiles::load_dir(dir)
    }

    const LIMITS: &str = "cpu_time = 1.0\nwall_time = 2.0\nmemory = 1\nstack = 1\nprocesses = 1\nfile_size = 1\noutput = 1\nopen_files = 1\n";

    fn body(extra: &str) -> String {
        format!(
            "description = \"t\"\nseccomp = \"s.json\"\nbox_size = 1\ntmp_size = 1\n{extra}\n[defaults]\n{LIMITS}[maximums]\n{LIMITS}"
        )
    }

    #[test]
    fn unknown_keys_and_unsafe_paths_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(write_profile(dir.path(), &body("")).is_ok());
        let unknown = write_profile(dir.path(), &body("colour = \"red\"")).unwrap_err();
        assert!(unknown.to_string().contains("colour"), "{unknown}");
        let dotdot = body("[[bind]]\nsource = \"/usr/../root\"\nwhy = \"x\"");
        assert!(write_profile(dir.path(), &dotdot).is_err());
        let over_box = body("[[bind]]\nsource = \"/usr\"\ntarget = \"/box/usr\"\nwhy = \"x\"");
        assert!(write_profile(dir.path(), &over_box).is_err());
        let no_why = body("[[bind]]\nsource = \"/usr\"");
        assert!(write_profile(dir.path(), &no_why).is_err());
    }

    #[test]
    fn defaults_above_maximums_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let text = body("").replacen("cpu_time = 1.0", "cpu_time = 9.0", 1);
        let err = write_profile(dir.path(), &text).unwrap_err();
        assert!(err.to_string().contains("cpu_time"), "{err}");
    }

    #[test]
    fn missing_policy_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("p.toml"),
            body("").replace("s.json", "gone.json"),
        )
        .unwrap();
        let err = Profiles::load_dir(dir.path()).unwrap_err();
        assert!(err.to_string().contains("gone.json"), "{err}");
    }
}
