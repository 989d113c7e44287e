//! Toolchain versions found before, kept on disk so that a command does not start a
//! toolchain just to learn its name: Java's `javac -version` starts a JVM (~180 ms of CPU),
//! which `judgebox run` would otherwise pay on every call and `judgebox serve` on every
//! start.
//!
//! Each version is kept with the identity of the files its version command names: every
//! absolute path in the command that exists, resolved through its symlinks, with its device,
//! inode, size, mtime and ctime. Installing, upgrading or removing a toolchain replaces those
//! files (dpkg unpacks each to a new inode and renames it over the old one), and a changed
//! alternatives link resolves to another file, so a kept version is used only while every
//! file it was found with is still the very same file. Only versions found are kept: a
//! missing toolchain is looked for again each time, so that installing it shows at once.
//!
//! The file is JSON, written whole to a temporary file and renamed into place, so readers
//! never see half of it; one that cannot be read or parsed is treated as empty.

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use judgebox_spec::LanguageSpec;
use serde::{Deserialize, Serialize};

/// Where the versions are kept unless told otherwise.
pub const DEFAULT_VERSION_CACHE: &str = "/var/cache/judgebox/versions.json";

/// One file a version was found with, as it was then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileIdentity {
    path: PathBuf,
    dev: u64,
    ino: u64,
    size: u64,
    mtime_ns: i64,
    ctime_ns: i64,
}

/// What a version command names, file by file; compared whole.
pub type Identity = Vec<FileIdentity>;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Kept {
    files: Identity,
    version: String,
}

/// One entry of the file.
#[derive(Serialize, Deserialize)]
struct Entry {
    command: Vec<String>,
    #[serde(flatten)]
    kept: Kept,
}

/// The kept versions, by version command.
#[derive(Debug)]
pub struct VersionCache {
    path: PathBuf,
    /// Keyed by the version command's words.
    entries: BTreeMap<Vec<String>, Kept>,
    changed: bool,
}

impl VersionCache {
    /// The versions kept at `path`; none when the file is missing or unreadable.
    pub fn open(path: &Path) -> VersionCache {
        let entries = match std::fs::read(path) {
            Ok(bytes) => match serde_json::from_slice::<Vec<Entry>>(&bytes) {
                Ok(entries) => entries.into_iter().map(|e| (e.command, e.kept)).collect(),
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "ignoring an unreadable version cache");
                    BTreeMap::new()
                }
            },
            Err(_) => BTreeMap::new(),
        };
        VersionCache {
            path: path.to_path_buf(),
            entries,
            changed: false,
        }
    }

    /// The version kept for `spec`'s toolchain, if every file it was found with is unchanged.
    pub fn lookup(&self, spec: &LanguageSpec) -> Option<String> {
        let kept = self.entries.get(&spec.version)?;
        (!kept.files.is_empty() && kept.files == identity(spec)).then(|| kept.version.clone())
    }

    /// Keeps `version` for `spec`, found while its files were `files` (taken before the
    /// version command ran, so that an upgrade during it is not recorded as the old version).
    /// A command that names no file (`python3 --version`, found along `PATH`) is not kept:
    /// nothing would tell when its toolchain changed.
    pub fn record(&mut self, spec: &LanguageSpec, files: Identity, version: &str) {
        if files.is_empty() {
            return;
        }
        let kept = Kept {
            files,
            version: version.to_string(),
        };
        let same = self
            .entries
            .get(&spec.version)
            .is_some_and(|old| old.files == kept.files && old.version == kept.version);
        if !same {
            self.entries.insert(spec.version.clone(), kept);
            self.changed = true;
        }
    }

    /// Writes the versions back if any were recorded; a failure is logged, not returned: the
    /// cache only saves time.
    pub fn save(&mut self) {
        if !self.changed {
            return;
        }
        match self.write() {
            Ok(()) => self.changed = false,
            Err(e) => tracing::warn!(
                path = %self.path.display(),
                error = %e,
                "could not keep the detected versions"
            ),
        }
    }

    fn write(&self) -> std::io::Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let mut file = tempfile::NamedTempFile::new_in(dir)?;
        let entries: Vec<Entry> = self
            .entries
            .iter()
            .map(|(command, kept)| Entry {
                command: command.clone(),
                kept: kept.clone(),
            })
            .collect();
        serde_json::to_writer_pretty(&mut file, &entries)?;
        file.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }
}

/// The files `spec`'s version command names, as they are now.
pub fn identity(spec: &LanguageSpec) -> Identity {
    spec.version
        .iter()
        .filter(|word| word.starts_with('/'))
        .filter_map(|word| {
            let path = std::fs::canonicalize(word).ok()?;
            let meta = std::fs::metadata(&path).ok()?;
            Some(FileIdentity {
                dev: meta.dev(),
                ino: meta.ino(),
                size: meta.size(),
                mtime_ns: nanoseconds(meta.mtime(), meta.mtime_nsec()),
                ctime_ns: nanoseconds(meta.ctime(), meta.ctime_nsec()),
                path,
            })
        })
        .collect()
}

fn nanoseconds(seconds: i64, nanoseconds: i64) -> i64 {
    seconds
        .saturating_mul(1_000_000_000)
        .saturating_add(nanoseconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec_with_version(version: Vec<String>) -> LanguageSpec {
        let mut spec = judgebox_spec::Languages::builtin()
            .expect("built-in languages")
            .get(71)
            .expect("Python")
            .clone();
        spec.version = version;
        spec
    }

    #[test]
    fn a_kept_version_lasts_as_long_as_the_files_it_was_found_with() {
        let dir = tempfile::tempdir().unwrap();
        let tool = dir.path().join("tool");
        std::fs::write(&tool, "#!/bin/sh\necho 1.0\n").unwrap();
        let link = dir.path().join("tool-link");
        std::os::unix::fs::symlink(&tool, &link).unwrap();
        let spec = spec_with_version(vec![link.display().to_string(), "--version".into()]);
        let cache_file = dir.path().join("cache/versions.json");

        let mut cache = VersionCache::open(&cache_file);
        assert_eq!(cache.lookup(&spec), None, "nothing kept yet");
        cache.record(&spec, identity(&spec), "1.0");
        cache.save();
        let cache = VersionCache::open(&cache_file);
        assert_eq!(cache.lookup(&spec).as_deref(), Some("1.0"), "kept on disk");

        // An upgrade replaces the file (a new inode renamed over the old one).
        let new = dir.path().join("tool.new");
        std::fs::write(&new, "#!/bin/sh\necho 2.0\n").unwrap();
        std::fs::rename(&new, &tool).unwrap();
        assert_eq!(
            cache.lookup(&spec),
            None,
            "the file it was found with is gone"
        );

        // The link pointed elsewhere: another file, another identity.
        let mut cache = VersionCache::open(&cache_file);
        cache.record(&spec, identity(&spec), "2.0");
        let other = dir.path().join("other");
        std::fs::write(&other, "#!/bin/sh\necho 3.0\n").unwrap();
        std::fs::remove_file(&link).unwrap();
        std::os::unix::fs::symlink(&other, &link).unwrap();
        assert_eq!(
            cache.lookup(&spec),
            None,
            "the link resolves to another file"
        );

        // A command naming no file is never kept.
        let bare = spec_with_version(vec!["python3".into(), "--version".into()]);
        cache.record(&bare, identity(&bare), "3.11");
        assert_eq!(cache.lookup(&bare), None);

        // Another command is another entry, whatever its files.
        let mut spec2 = spec.clone();
        spec2.version.push("--short".into());
        assert_eq!(cache.lookup(&spec2), None);
    }

    #[test]
    fn an_unreadable_cache_is_an_empty_one() {
        let dir = tempfile::tempdir().unwrap();
        let cache_file = dir.path().join("versions.json");
        std::fs::write(&cache_file, "{ not json").unwrap();
        let spec = spec_with_version(vec!["/bin/sh".into(), "--version".into()]);
        let mut cache = VersionCache::open(&cache_file);
        assert_eq!(cache.lookup(&spec), None);
        cache.record(&spec, identity(&spec), "5.2");
        cache.save();
        assert_eq!(
            VersionCache::open(&cache_file).lookup(&spec).as_deref(),
            Some("5.2"),
            "rewritten whole"
        );
    }
}
