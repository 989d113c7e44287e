//! Languages as data: one TOML file per Judge0 language id in `languages/`.
//!
//! A language says how a submission becomes a running program: the file its source is
//! written to, the compile steps (each an argv run in the box with the `compile` profile),
//! and the argv that runs it. Commands are argv lists, never shell text: a submission's
//! compiler options and arguments are split into words on the host and reach the program as
//! argv entries, so nothing a student sends is ever interpreted by a shell outside the box.
//!
//! The repository's files are compiled into the binary (see `build.rs`); an operator's folder,
//! when given, replaces them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::LimitsUpdate;

/// The placeholder a compile step's argv may contain: it becomes the submission's compiler
/// options, split into words (zero or more argv entries).
pub const OPTIONS_PLACEHOLDER: &str = "{options}";
/// The placeholder in a language's `name`, replaced by the version found installed.
pub const VERSION_PLACEHOLDER: &str = "{version}";

/// The programs `judgebox languages test` runs for a language, each a complete source file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageChecks {
    /// Prints exactly `hello, world` and a newline.
    pub hello: Option<String>,
    /// Copies its standard input to its standard output.
    pub echo: Option<String>,
    /// Fails to compile (only for compiled languages).
    pub compile_error: Option<String>,
    /// Compiles, then exits with a non-zero status or dies by a signal.
    pub runtime_error: Option<String>,
    /// Compiles, then computes forever (the check gives it one second of CPU).
    pub time_limit: Option<String>,
}

/// One language, as its file says.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageSpec {
    /// The Judge0 id clients send as `language_id`.
    pub id: u32,
    /// The name served, with `{version}` standing for the installed version, e.g.
    /// `"C (GCC {version})"`.
    pub name: String,
    /// Judge0 CE 1.13.1's own name for this id (shown while the toolchain is missing).
    pub judge0_name: String,
    /// The file the source code is written to in `/box`; absent only for a project (id 89),
    /// whose files come from `additional_files`.
    #[serde(default)]
    pub source_file: Option<String>,
    /// Write the source file executable (the "Executable" language).
    #[serde(default)]
    pub executable_source: bool,
    /// Compile steps, run in order in the box with the compile profile; the first that fails
    /// ends the compilation. Empty for interpreted languages.
    #[serde(default)]
    pub compile: Vec<Vec<String>>,
    /// The argv that runs the program; the submission's arguments are appended. Absent only
    /// for a project, which runs its own `run` script.
    #[serde(default)]
    pub run: Option<Vec<String>>,
    /// A multi-file program: `additional_files` carries a `compile` (optional) and a `run`
    /// script, each run with `/bin/bash`.
    #[serde(default)]
    pub project: bool,
    /// The Debian packages that provide the toolchain.
    #[serde(default)]
    pub packages: Vec<String>,
    /// A command (run on the host, never with submission data) that prints the installed
    /// version; its failure means the language is unavailable.
    #[serde(default)]
    pub version: Vec<String>,
    /// Why this id cannot be served on Debian, when it cannot (e.g. not packaged).
    #[serde(default)]
    pub unavailable: Option<String>,
    /// The sandbox profile the program runs with.
    #[serde(default = "default_run_profile")]
    pub profile: String,
    /// The sandbox profile the compile steps run with.
    #[serde(default = "default_compile_profile")]
    pub compile_profile: String,
    /// Extra `NAME=value` environment for compile steps and the program.
    #[serde(default)]
    pub env: Vec<String>,
    /// Limits for the compile steps where the profile's maximums do not suit the toolchain.
    #[serde(default)]
    pub compile_limits: LimitsUpdate,
    /// Floors under a submission's run limits that the runtime cannot start without (a JVM's
    /// threads, for one). A submission asking for less gets this much.
    #[serde(default)]
    pub run_minimums: LimitsUpdate,
    /// The language `judgebox run` picks for this source file's extension when several
    /// share it (C: GCC over Clang).
    #[serde(default)]
    pub extension_default: bool,
    #[serde(default)]
    pub checks: LanguageChecks,
}

fn default_run_profile() -> String {
    "run".into()
}

fn default_compile_profile() -> String {
    "compile".into()
}

impl LanguageSpec {
    pub fn is_compiled(&self) -> bool {
        !self.compile.is_empty() || self.project
    }

    /// The served name for an installed `version`, or Judge0's name when it is not installed.
    pub fn display_name(&self, version: Option<&str>) -> String {
        match version {
            Some(v) => self.name.replace(VERSION_PLACEHOLDER, v),
            None => self.judge0_name.clone(),
        }
    }

    /// The compile command as Judge0 shows it (`GET /languages/:id`): the steps joined with
    /// `&&`, the options placeholder as `%s`. `None` for an interpreted language.
    pub fn compile_cmd(&self) -> Option<String> {
        if self.compile.is_empty() {
            return None;
        }
        let steps: Vec<String> = self
            .compile
            .iter()
            .map(|argv| argv.join(" ").replace(OPTIONS_PLACEHOLDER, "%s"))
            .collect();
        Some(steps.join(" && "))
    }

    /// The run command as Judge0 shows it.
    pub fn run_cmd(&self) -> Option<String> {
        self.run.as_ref().map(|argv| argv.join(" "))
    }

    fn validate(&self) -> Result<(), String> {
        if self.id == 0 {
            return Err("id must be a positive Judge0 language id".into());
        }
        if self.name.trim().is_empty() || self.judge0_name.trim().is_empty() {
            return Err("name and judge0_name must not be empty".into());
        }
        if self.project {
            if self.source_file.is_some() || self.run.is_some() || !self.compile.is_empty() {
                return Err("a project takes its compile and run scripts from its files; it has no source_file, compile or run".into());
            }
        } else {
            let Some(file) = &self.source_file else {
                return Err("source_file is required".into());
            };
            if file.is_empty()
                || file.contains('/')
                || file == "."
                || file == ".."
                || file.contains('\0')
            {
                return Err(format!("source_file {file:?} must be a plain file name"));
            }
            match &self.run {
                Some(argv) if !argv.is_empty() && argv.iter().all(|a| !a.is_empty()) => {}
                _ => return Err("run must be a non-empty argv".into()),
            }
        }
        for step in &self.compile {
            if step.is_empty() || step[0].is_empty() || step[0] == OPTIONS_PLACEHOLDER {
                return Err("every compile step must be an argv starting with a program".into());
            }
        }
        if let Some(run) = &self.run {
            if run.iter().any(|a| a.contains(OPTIONS_PLACEHOLDER)) {
                return Err("{options} belongs in compile steps, not in run".into());
            }
        }
        for entry in &self.env {
            if !entry.contains('=') || entry.starts_with('=') {
                return Err(format!("env entry {entry:?} must be NAME=value"));
            }
        }
        if self.unavailable.is_none() && self.version.is_empty() {
            return Err("a version command is required (or say why it is unavailable)".into());
        }
        Ok(())
    }
}

/// The first version-looking word in a version command's output: digits with at least one
/// dot (`12.2.0`, `3.11.2`), else the first run of digits.
pub fn extract_version(text: &str) -> Option<String> {
    let mut first_number = None;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                i += 1;
            }
            let word = text[start..i].trim_end_matches('.');
            if word.contains('.') {
                return Some(word.to_string());
            }
            first_number.get_or_insert_with(|| word.to_string());
        } else {
            i += 1;
        }
    }
    first_number
}

#[derive(Debug, thiserror::Error)]
pub enum LanguageError {
    #[error("reading {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// Every language, by Judge0 id.
#[derive(Debug, Clone)]
pub struct Languages {
    by_id: BTreeMap<u32, LanguageSpec>,
}

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_languages.rs"));
}

/// Whether a language file's name is language `id`'s (`{id}-<name>.toml`).
fn one_id(id: u32) -> impl Fn(&str) -> bool {
    let prefix = format!("{id}-");
    move |name| name.starts_with(&prefix)
}

impl Languages {
    /// The repository's `languages/`, compiled in.
    pub fn builtin() -> Result<Self, LanguageError> {
        Self::builtin_where(|_, _| true)?.non_empty(Path::new("<builtin>"))
    }

    /// Only language `id` of the built-in ones, or none: a command that needs one language
    /// parses its file alone (a language's file is named for its id) instead of all of them.
    pub fn builtin_one(id: u32) -> Result<Self, LanguageError> {
        let is_id = one_id(id);
        Self::builtin_where(|name, _| is_id(name))
    }

    /// The built-in languages whose source file could end in `.EXT` (any case): a command
    /// guessing a file's language parses those few instead of all 47 (~0.4 ms). The text is
    /// only sifted: a TOML string ends with a quote, so every file whose source file has
    /// that extension is kept, and the caller decides on the parsed fields.
    pub fn builtin_for_extension(ext: &str) -> Result<Self, LanguageError> {
        let ends = [
            format!(".{}\"", ext.to_ascii_lowercase()),
            format!(".{}'", ext.to_ascii_lowercase()),
        ];
        Self::builtin_where(|_, text| {
            let text = text.to_ascii_lowercase();
            ends.iter().any(|end| text.contains(end.as_str()))
        })
    }

    /// The built-in files that `keep(name, text)` chooses, parsed.
    fn builtin_where(keep: impl Fn(&str, &str) -> bool) -> Result<Self, LanguageError> {
        Self::from_files(
            builtin::FILES
                .iter()
                .filter(|(n, t)| keep(n, t))
                .map(|(n, t)| (n.to_string(), t.to_string())),
            Path::new("<builtin>"),
        )
    }

    /// Every `*.toml` in `dir`.
    pub fn load_dir(dir: &Path) -> Result<Self, LanguageError> {
        Self::load_dir_where(dir, |_| true)?.non_empty(dir)
    }

    /// Only language `id` of `dir`'s, or none (see [`Languages::builtin_one`]).
    pub fn load_dir_one(dir: &Path, id: u32) -> Result<Self, LanguageError> {
        Self::load_dir_where(dir, one_id(id))
    }

    fn load_dir_where(dir: &Path, keep: impl Fn(&str) -> bool) -> Result<Self, LanguageError> {
        let read_err = |path: &Path, source| LanguageError::Read {
            path: path.to_path_buf(),
            source,
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| read_err(dir, e))? {
            let path = entry.map_err(|e| read_err(dir, e))?.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if name.ends_with(".toml") && keep(name) {
                let text = std::fs::read_to_string(&path).map_err(|e| read_err(&path, e))?;
                files.push((name.to_string(), text));
            }
        }
        Self::from_files(files.into_iter(), dir)
    }

    fn non_empty(self, dir: &Path) -> Result<Self, LanguageError> {
        if self.by_id.is_empty() {
            return Err(LanguageError::Invalid {
                path: dir.to_path_buf(),
                message: "no languages (*.toml) found".into(),
            });
        }
        Ok(self)
    }

    fn from_files(
        files: impl Iterator<Item = (String, String)>,
        dir: &Path,
    ) -> Result<Self, LanguageError> {
        let mut by_id = BTreeMap::new();
        for (file, text) in files {
            let path = dir.join(&file);
            let invalid = |message: String| LanguageError::Invalid {
                path: path.clone(),
                message,
            };
            let spec: LanguageSpec = toml::from_str(&text).map_err(|e| invalid(e.to_string()))?;
            spec.validate().map_err(invalid)?;
            let expected_prefix = format!("{}-", spec.id);
            if !file.starts_with(&expected_prefix) {
                return Err(invalid(format!(
                    "the file of language {} must be named {}<name>.toml",
                    spec.id, expected_prefix
                )));
            }
            if by_id.insert(spec.id, spec).is_some() {
                return Err(invalid("another file has the same id".into()));
            }
        }
        Ok(Languages { by_id })
    }

    /// Languages already loaded (a chosen few, or tests).
    pub fn from_specs(specs: impl IntoIterator<Item = LanguageSpec>) -> Languages {
        Languages {
            by_id: specs.into_iter().map(|s| (s.id, s)).collect(),
        }
    }

    pub fn get(&self, id: u32) -> Option<&LanguageSpec> {
        self.by_id.get(&id)
    }

    /// Every language in id order.
    pub fn iter(&self) -> impl Iterator<Item = &LanguageSpec> {
        self.by_id.values()
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const C: &str = r#"
id = 50
name = "C (GCC {version})"
judge0_name = "C (GCC 9.2.0)"
source_file = "main.c"
compile = [["gcc", "{options}", "main.c"]]
run = ["./a.out"]
packages = ["gcc"]
version = ["gcc", "-dumpfullversion"]
"#;

    fn load(name: &str, text: &str) -> Result<Languages, LanguageError> {
        Languages::from_files(
            [(name.to_string(), text.to_string())].into_iter(),
            Path::new("t"),
        )
    }

    #[test]
    fn a_language_file_loads_and_renders_judge0_commands() {
        let langs = load("50-c.toml", C).unwrap();
        let c = langs.get(50).unwrap();
        assert_eq!(c.compile_cmd().unwrap(), "gcc %s main.c");
        assert_eq!(c.run_cmd().unwrap(), "./a.out");
        assert_eq!(c.display_name(Some("12.2.0")), "C (GCC 12.2.0)");
        assert_eq!(c.display_name(None), "C (GCC 9.2.0)");
        assert!(c.is_compiled());
        assert_eq!(c.profile, "run");
    }

    #[test]
    fn bad_files_are_refused_with_a_reason() {
        assert!(load("50-c.toml", &format!("{C}\ncolour = 1"))
            .unwrap_err()
            .to_string()
            .contains("colour"));
        assert!(load("51-c.toml", C).is_err(), "file name must carry the id");
        let escape = C.replace("main.c\"\ncompile", "../main.c\"\ncompile");
        assert!(load("50-c.toml", &escape).is_err());
        let no_run = C.replace("run = [\"./a.out\"]", "");
        assert!(load("50-c.toml", &no_run).is_err());
        let options_in_run = C.replace("[\"./a.out\"]", "[\"./a.out\", \"{options}\"]");
        assert!(load("50-c.toml", &options_in_run).is_err());
    }

    #[test]
    fn one_language_is_loaded_alone_by_its_id() {
        let one = Languages::builtin_one(71).unwrap();
        assert_eq!(one.iter().map(|l| l.id).collect::<Vec<_>>(), [71]);
        assert_eq!(one.get(71), Languages::builtin().unwrap().get(71));
        assert!(Languages::builtin_one(7).unwrap().is_empty(), "7 is no id");
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in builtin::FILES.iter().filter(|(n, _)| n.starts_with('5')) {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let one = Languages::load_dir_one(dir.path(), 50).unwrap();
        assert_eq!(one.iter().map(|l| l.id).collect::<Vec<_>>(), [50]);
        assert!(Languages::load_dir_one(dir.path(), 5).unwrap().is_empty());
        let empty = tempfile::tempdir().unwrap();
        assert!(
            Languages::load_dir(empty.path()).is_err(),
            "no languages at all"
        );
    }

    #[test]
    fn versions_are_found_in_tool_output() {
        assert_eq!(extract_version("12.2.0\n").unwrap(), "12.2.0");
        assert_eq!(
            extract_version("GNU bash, version 5.2.15(1)-release").unwrap(),
            "5.2.15"
        );
        assert_eq!(extract_version("v20.19.2").unwrap(), "20.19.2");
        assert_eq!(
            extract_version("rustc 1.63.0 (4b91a6ea7 2022-08-08)").unwrap(),
            "1.63.0"
        );
        assert_eq!(extract_version("version 7").unwrap(), "7");
        assert_eq!(extract_version("none"), None);
    }

    #[test]
    fn every_repository_language_loads_and_matches_the_builtin_copy() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../languages");
        let on_disk = Languages::load_dir(&dir).unwrap();
        let builtin = Languages::builtin().unwrap();
        assert_eq!(on_disk.len(), builtin.len());
        for lang in on_disk.iter() {
            assert_eq!(Some(lang), builtin.get(lang.id));
        }
    }

    #[test]
    fn sifting_by_extension_keeps_every_language_of_it_and_few_others() {
        let all = Languages::builtin().unwrap();
        for spec in all.iter() {
            let Some((_, ext)) = spec.source_file.as_deref().and_then(|f| f.rsplit_once('.'))
            else {
                continue;
            };
            for ext in [ext.to_string(), ext.to_ascii_uppercase()] {
                let sifted = Languages::builtin_for_extension(&ext).unwrap();
                assert!(sifted.get(spec.id).is_some(), "{} lost for .{ext}", spec.id);
                assert!(sifted.len() < all.len(), ".{ext} kept them all");
            }
        }
        // The common cases parse a file or a few (`.out` also matches `./a.out` commands).
        for (ext, most) in [("c", 4), ("py", 2), ("java", 1), ("txt", 2)] {
            let n = Languages::builtin_for_extension(ext).unwrap().len();
            assert!(n <= most, ".{ext} kept {n} languages");
        }
        assert!(Languages::builtin_for_extension("nope").unwrap().is_empty());
    }
}
