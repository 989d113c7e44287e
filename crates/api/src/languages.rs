//! Judge0's language table: the 42 archived ids (names only: they exist so that
//! `/languages/all` and `/languages/:id` answer as Judge0 does, and so that a submission
//! naming one is refused with Judge0's message) and the active ids of this host's catalog.

use judgebox_engine::Catalog;
use serde_json::{json, Value};

/// Judge0 CE 1.13.1's archived languages (`db/languages/archived.rb`).
const ARCHIVED: [(u32, &str); 42] = [
    (1, "Bash (4.4)"),
    (2, "Bash (4.0)"),
    (3, "Basic (fbc 1.05.0)"),
    (4, "C (gcc 7.2.0)"),
    (5, "C (gcc 6.4.0)"),
    (6, "C (gcc 6.3.0)"),
    (7, "C (gcc 5.4.0)"),
    (8, "C (gcc 4.9.4)"),
    (9, "C (gcc 4.8.5)"),
    (10, "C++ (g++ 7.2.0)"),
    (11, "C++ (g++ 6.4.0)"),
    (12, "C++ (g++ 6.3.0)"),
    (13, "C++ (g++ 5.4.0)"),
    (14, "C++ (g++ 4.9.4)"),
    (15, "C++ (g++ 4.8.5)"),
    (16, "C# (mono 5.4.0.167)"),
    (17, "C# (mono 5.2.0.224)"),
    (18, "Clojure (1.8.0)"),
    (19, "Crystal (0.23.1)"),
    (20, "Elixir (1.5.1)"),
    (21, "Erlang (OTP 20.0)"),
    (22, "Go (1.9)"),
    (23, "Haskell (ghc 8.2.1)"),
    (24, "Haskell (ghc 8.0.2)"),
    (25, "Insect (5.0.0)"),
    (26, "Java (OpenJDK 9 with Eclipse OpenJ9)"),
    (27, "Java (OpenJDK 8)"),
    (28, "Java (OpenJDK 7)"),
    (29, "JavaScript (nodejs 8.5.0)"),
    (30, "JavaScript (nodejs 7.10.1)"),
    (31, "OCaml (4.05.0)"),
    (32, "Octave (4.2.0)"),
    (33, "Pascal (fpc 3.0.0)"),
    (34, "Python (3.6.0)"),
    (35, "Python (3.5.3)"),
    (36, "Python (2.7.9)"),
    (37, "Python (2.6.9)"),
    (38, "Ruby (2.4.0)"),
    (39, "Ruby (2.3.3)"),
    (40, "Ruby (2.2.6)"),
    (41, "Ruby (2.1.9)"),
    (42, "Rust (1.20.0)"),
];

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct LanguageRow {
    pub id: u32,
    pub name: String,
    pub is_archived: bool,
    pub source_file: Option<String>,
    pub compile_cmd: Option<String>,
    pub run_cmd: Option<String>,
    /// Has compile steps (compiler options are allowed).
    pub compiled: bool,
    /// The multi-file program: files from `additional_files`, no source code.
    pub project: bool,
    /// Why this host cannot run it (its toolchain is not installed).
    pub unavailable: Option<String>,
}

impl LanguageRow {
    /// One of Judge0's archived languages: listed, never run.
    pub fn archived(id: u32, name: &str) -> LanguageRow {
        LanguageRow {
            id,
            name: name.to_string(),
            is_archived: true,
            source_file: None,
            compile_cmd: None,
            run_cmd: None,
            compiled: false,
            project: false,
            unavailable: None,
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub fn active(
        id: u32,
        name: &str,
        source_file: Option<&str>,
        compile_cmd: Option<&str>,
        run_cmd: Option<&str>,
        compiled: bool,
        project: bool,
        unavailable: Option<String>,
    ) -> LanguageRow {
        LanguageRow {
            id,
            name: name.to_string(),
            is_archived: false,
            source_file: source_file.map(str::to_string),
            compile_cmd: compile_cmd.map(str::to_string),
            run_cmd: run_cmd.map(str::to_string),
            compiled,
            project,
            unavailable,
        }
    }
}

/// What a submission's `language_id` names.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup<'a> {
    Active(&'a LanguageRow),
    Archived,
    /// An active Judge0 id whose toolchain is not on this host.
    Unavailable(String),
    Missing,
}

/// Every language, sorted as Judge0's `ORDER BY name` sorts them.
#[derive(Debug, Clone, Default)]
pub struct LanguageTable {
    rows: Vec<LanguageRow>,
}

/// PostgreSQL's `en_US.utf8` collation at its first level, as Judge0's listing shows it:
/// letters and digits only, case folded; ties broken by the whole name.
fn collation_key(name: &str) -> (String, String) {
    let primary = name
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    (primary, name.to_string())
}

impl LanguageTable {
    pub fn new(mut rows: Vec<LanguageRow>) -> LanguageTable {
        rows.sort_by_cached_key(|r| collation_key(&r.name));
        LanguageTable { rows }
    }

    /// The archived ids and the catalog's languages.
    pub fn from_catalog(catalog: &Catalog) -> LanguageTable {
        let mut rows: Vec<LanguageRow> = ARCHIVED
            .iter()
            .map(|(id, name)| LanguageRow::archived(*id, name))
            .collect();
        for l in catalog.iter() {
            rows.push(LanguageRow {
                id: l.id(),
                name: l.name.clone(),
                is_archived: false,
                source_file: l.spec.source_file.clone(),
                compile_cmd: l.spec.compile_cmd(),
                run_cmd: l.spec.run_cmd(),
                compiled: l.spec.is_compiled(),
                project: l.spec.project,
                unavailable: l.unavailable.clone(),
            });
        }
        LanguageTable::new(rows)
    }

    pub fn lookup(&self, id: i64) -> Lookup<'_> {
        match self.rows.iter().find(|r| i64::from(r.id) == id) {
            None => Lookup::Missing,
            Some(r) if r.is_archived => Lookup::Archived,
            Some(r) => match &r.unavailable {
                Some(why) => Lookup::Unavailable(why.clone()),
                None => Lookup::Active(r),
            },
        }
    }

    pub fn get(&self, id: u32) -> Option<&LanguageRow> {
        self.rows.iter().find(|r| r.id == id)
    }

    /// The name a submission of `id` shows in its `language` field.
    pub fn name(&self, id: u32) -> String {
        self.get(id).map(|r| r.name.clone()).unwrap_or_default()
    }

    /// `GET /languages`: the active languages this host can run.
    pub fn active_json(&self) -> Value {
        Value::Array(
            self.rows
                .iter()
                .filter(|r| !r.is_archived && r.unavailable.is_none())
                .map(|r| json!({"id": r.id, "name": r.name}))
                .collect(),
        )
    }

    /// `GET /languages/all`.
    pub fn all_json(&self) -> Value {
        Value::Array(
            self.rows
                .iter()
                .map(|r| json!({"id": r.id, "name": r.name, "is_archived": r.is_archived}))
                .collect(),
        )
    }

    /// `GET /languages/:id`.
    pub fn one_json(&self, id: u32) -> Option<Value> {
        self.get(id).map(|r| {
            json!({
                "id": r.id,
                "name": r.name,
                "is_archived": r.is_archived,
                "source_file": r.source_file,
                "compile_cmd": r.compile_cmd,
                "run_cmd": r.run_cmd,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_like_judge0s_listing() {
        let names = [
            "C++ (GCC 9.2.0)",
            "C (GCC 9.2.0)",
            "C# (Mono 6.6.0.161)",
            "Clojure (1.10.1)",
            "COBOL (GnuCOBOL 2.2)",
            "C (Clang 7.0.1)",
            "PHP (7.4.1)",
            "Plain Text",
            "Perl (5.28.1)",
            "Objective-C (Clang 7.0.1)",
            "OCaml (4.09.0)",
            "Executable",
            "Erlang (OTP 22.2)",
        ];
        let table = LanguageTable::new(
            names
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    LanguageRow::active(i as u32, n, None, None, None, false, false, None)
                })
                .collect(),
        );
        let sorted: Vec<&str> = table.rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            sorted,
            [
                "C (Clang 7.0.1)",
                "C (GCC 9.2.0)",
                "C++ (GCC 9.2.0)",
                "Clojure (1.10.1)",
                "C# (Mono 6.6.0.161)",
                "COBOL (GnuCOBOL 2.2)",
                "Erlang (OTP 22.2)",
                "Executable",
                "Objective-C (Clang 7.0.1)",
                "OCaml (4.09.0)",
                "Perl (5.28.1)",
                "PHP (7.4.1)",
                "Plain Text",
            ]
        );
    }
}
