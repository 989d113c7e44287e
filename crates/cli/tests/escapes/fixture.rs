//! The hostile programs of `tests/escapes/`: their headers, read strictly, and the submission
//! each one becomes.
//!
//! A fixture starts with a block of comment lines (`//` in C, C++, Java and JavaScript, `#`
//! elsewhere; a `#!` first line is skipped), one `key: value` each; a comment line without a
//! key continues the previous value. `tries`, `allowed`, `why` and `layer` are required; an
//! unknown key, a repeated single key or a bad value is an error, so a fixture cannot quietly
//! lose what it asserts. `tests/escapes/README.md` lists the keys.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use crate::common::b64;

/// Judge0's Internal Error: never an allowed ending.
pub const INTERNAL_ERROR: u64 = 13;

/// Where each wall of the box is, as the README's "stopped by" column names them.
pub const LAYERS: [&str; 10] = [
    "namespace",
    "mount",
    "seccomp",
    "landlock",
    "cgroup",
    "rlimit",
    "uid",
    "caps",
    "host",
    "api",
];

/// The default limits of a fixture's run: small, so that the suite stays quick.
const DEFAULT_CPU: f64 = 1.0;
const DEFAULT_WALL: f64 = 3.0;

/// The two halves of the two-box test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Hides a secret it is given on stdin, then sleeps.
    Hider,
    /// Runs while the hider sleeps (and after it), and must not find the secret.
    Hunter,
}

/// Which script of a multi-file program (language 89) the fixture is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZipRole {
    Run,
    Compile,
}

/// A fixture's limits, where it sets them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Limits {
    pub cpu: Option<f64>,
    pub wall: Option<f64>,
    pub memory: Option<u64>,
    pub stack: Option<u64>,
    pub processes: Option<u64>,
    pub file_size: Option<u64>,
    pub runs: Option<u64>,
}

/// Everything a fixture's header says.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub tries: String,
    pub allowed: Vec<u64>,
    pub why: String,
    pub layers: Vec<String>,
    pub language: Option<u64>,
    pub args: Option<String>,
    pub stdin: Option<String>,
    pub compiler_options: Option<String>,
    pub limits: Limits,
    /// The statuses `POST /submissions` may answer (201 unless the API may or must refuse
    /// the request); after a 201 the verdict must be one of `allowed`.
    pub http: Vec<u16>,
    pub enable_network: bool,
    pub role: Option<Role>,
    pub zip: Option<ZipRole>,
    pub zip_links: Vec<(String, String)>,
    pub zip_files: Vec<(String, String)>,
    pub zip_zeros: Vec<(String, u64)>,
}

/// One hostile program.
#[derive(Debug, Clone)]
pub struct Fixture {
    pub name: String,
    pub path: PathBuf,
    pub extension: String,
    pub source: Vec<u8>,
    pub header: Header,
}

/// The folder of the fixtures, `tests/escapes/` at the repository's root.
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/escapes")
}

/// Every fixture, sorted by name, or every reason some could not be read.
pub fn load_all() -> Result<Vec<Fixture>, Vec<String>> {
    let mut fixtures = Vec::new();
    let mut errors = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir())
        .expect("tests/escapes/")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n != "README.md" && n != "FINDINGS.md")
        })
        .collect();
    entries.sort();
    for path in entries {
        match Fixture::load(&path) {
            Ok(f) => fixtures.push(f),
            Err(e) => errors.push(format!("{}: {e}", path.display())),
        }
    }
    if errors.is_empty() {
        Ok(fixtures)
    } else {
        Err(errors)
    }
}

/// The language a file extension means, and its comment marker.
fn language_of(extension: &str) -> Option<(u64, &'static str)> {
    Some(match extension {
        "c" => (50, "//"),
        "cpp" => (54, "//"),
        "java" => (62, "//"),
        "js" => (63, "//"),
        "py" => (71, "#"),
        "sh" => (46, "#"),
        "pl" => (85, "#"),
        "rb" => (72, "#"),
        // GNU as, 32-bit: assembled and linked on the host, sent as an Executable.
        "s" => (44, "#"),
        _ => return None,
    })
}

impl Fixture {
    pub fn load(path: &Path) -> Result<Fixture, String> {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or("a file name that is not UTF-8")?
            .to_string();
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .ok_or("no extension: the extension says the language")?
            .to_string();
        let (_, marker) =
            language_of(&extension).ok_or_else(|| format!("unknown extension .{extension}"))?;
        let source = std::fs::read(path).map_err(|e| e.to_string())?;
        let text = std::str::from_utf8(&source).map_err(|_| "not UTF-8 text")?;
        let header = parse_header(text, marker)?;
        Ok(Fixture {
            name,
            path: path.to_path_buf(),
            extension,
            source,
            header,
        })
    }

    /// The Judge0 language id it is submitted as.
    pub fn language(&self) -> u64 {
        self.header
            .language
            .unwrap_or_else(|| language_of(&self.extension).expect("checked when loaded").0)
    }

    /// The argument every run of this fixture carries last, so that its processes can be
    /// told apart in the host's `/proc` (forked children keep it; an exec'd program does not).
    pub fn marker(&self) -> String {
        format!("jbx-fixture={}", self.name)
    }

    /// The body of `POST /submissions?base64_encoded=true`, with `{placeholders}` filled.
    pub fn request(&self, values: &BTreeMap<&str, String>) -> Result<Value, String> {
        let h = &self.header;
        let language = self.language();
        let fill = |text: &str| fill(text, values);
        let mut body = json!({
            "language_id": language,
            "cpu_time_limit": h.limits.cpu.unwrap_or(DEFAULT_CPU),
            "wall_time_limit": h.limits.wall.unwrap_or(DEFAULT_WALL),
        });
        let fields = [
            ("memory_limit", h.limits.memory),
            ("stack_limit", h.limits.stack),
            ("max_processes_and_or_threads", h.limits.processes),
            ("max_file_size", h.limits.file_size),
            ("number_of_runs", h.limits.runs),
        ];
        for (field, value) in fields {
            if let Some(v) = value {
                body[field] = json!(v);
            }
        }
        if let Some(role) = h.zip {
            body["additional_files"] = json!(b64(&self.zip(role, values)?));
        } else {
            let program = if self.extension == "s" {
                assemble_i386(&self.path)?
            } else {
                self.source.clone()
            };
            body["source_code"] = json!(b64(&program));
        }
        // A multi-file program ignores its arguments, so it gets no marker either.
        if language != 89 {
            let args = match &h.args {
                Some(a) => format!("{} {}", fill(a)?, self.marker()),
                None => self.marker(),
            };
            body["command_line_arguments"] = json!(args);
        }
        if let Some(stdin) = &h.stdin {
            body["stdin"] = json!(b64(fill(stdin)?.as_bytes()));
        }
        if let Some(options) = &h.compiler_options {
            body["compiler_options"] = json!(fill(options)?);
        }
        if h.enable_network {
            body["enable_network"] = json!(true);
        }
        Ok(body)
    }

    fn zip(&self, role: ZipRole, values: &BTreeMap<&str, String>) -> Result<Vec<u8>, String> {
        use zip::write::SimpleFileOptions;
        let h = &self.header;
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default().unix_permissions(0o755);
        let err = |e: zip::result::ZipError| e.to_string();
        let script = match role {
            ZipRole::Run => "run",
            ZipRole::Compile => "compile",
        };
        out.start_file(script, options).map_err(err)?;
        out.write_all(&self.source).map_err(|e| e.to_string())?;
        let mut files = h.zip_files.clone();
        if role == ZipRole::Compile && !files.iter().any(|(n, _)| n == "run") {
            files.push(("run".into(), "echo original run".into()));
        }
        for (name, content) in &files {
            out.start_file(name.as_str(), options).map_err(err)?;
            out.write_all(format!("{}\n", fill(content, values)?).as_bytes())
                .map_err(|e| e.to_string())?;
        }
        for (name, target) in &h.zip_links {
            out.add_symlink(name.as_str(), fill(target, values)?, options)
                .map_err(err)?;
        }
        for (name, kb) in &h.zip_zeros {
            out.start_file(name.as_str(), options).map_err(err)?;
            let zeros = vec![0u8; 1024];
            for _ in 0..*kb {
                out.write_all(&zeros).map_err(|e| e.to_string())?;
            }
        }
        Ok(out.finish().map_err(err)?.into_inner())
    }
}

/// Fills `{name}` placeholders; an unknown name is an error.
pub fn fill(text: &str, values: &BTreeMap<&str, String>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let name = &rest[start + 1..start + len];
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            out.push_str(&rest[..=start]);
            rest = &rest[start + 1..];
            continue;
        }
        let value = values
            .get(name)
            .ok_or_else(|| format!("unknown placeholder {{{name}}}"))?;
        out.push_str(&rest[..start]);
        out.push_str(value);
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Assembles a GNU as file as i386 code and links it into a static 32-bit ELF.
fn assemble_i386(source: &Path) -> Result<Vec<u8>, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let object = dir.path().join("a.o");
    let binary = dir.path().join("a.out");
    let run = |command: &mut Command| -> Result<(), String> {
        let out = command
            .output()
            .map_err(|e| format!("{command:?}: {e} (binutils is needed)"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{command:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    };
    run(Command::new("as")
        .arg("--32")
        .arg("-o")
        .arg(&object)
        .arg(source))?;
    run(Command::new("ld")
        .args(["-m", "elf_i386", "-o"])
        .arg(&binary)
        .arg(&object))?;
    std::fs::read(&binary).map_err(|e| e.to_string())
}

/// Reads the header block at the top of `text`.
pub fn parse_header(text: &str, marker: &str) -> Result<Header, String> {
    let mut values: Vec<(String, String)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if i == 0 && line.starts_with("#!") {
            continue;
        }
        let Some(body) = line.strip_prefix(marker) else {
            break;
        };
        let body = body.trim();
        match body.split_once(':') {
            Some((key, value))
                if !key.is_empty()
                    && key
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_' || c == '-') =>
            {
                values.push((key.to_string(), value.trim().to_string()));
            }
            _ => match values.last_mut() {
                Some((_, value)) if !body.is_empty() => {
                    value.push(' ');
                    value.push_str(body);
                }
                Some(_) => {}
                None => return Err(format!("the header must start with `{marker} tries: ...`")),
            },
        }
    }
    let mut tries = None;
    let mut allowed = None;
    let mut why = None;
    let mut layers = None;
    let mut header = Header {
        tries: String::new(),
        allowed: Vec::new(),
        why: String::new(),
        layers: Vec::new(),
        language: None,
        args: None,
        stdin: None,
        compiler_options: None,
        limits: Limits::default(),
        http: vec![201],
        enable_network: false,
        role: None,
        zip: None,
        zip_links: Vec::new(),
        zip_files: Vec::new(),
        zip_zeros: Vec::new(),
    };
    let mut seen: Vec<String> = Vec::new();
    for (key, value) in values {
        let repeatable = matches!(key.as_str(), "zip-link" | "zip-file" | "zip-zeros");
        if !repeatable && seen.contains(&key) {
            return Err(format!("`{key}` given twice"));
        }
        seen.push(key.clone());
        if value.is_empty() {
            return Err(format!("`{key}` is empty"));
        }
        match key.as_str() {
            "tries" => tries = Some(value),
            "why" => why = Some(value),
            "allowed" => {
                let statuses = value
                    .split_whitespace()
                    .map(|s| s.parse::<u64>().map_err(|_| format!("allowed: {s:?}")))
                    .collect::<Result<Vec<u64>, String>>()?;
                if let Some(bad) = statuses.iter().find(|s| !(3..=14).contains(*s)) {
                    return Err(format!("allowed: {bad} is not a final Judge0 status"));
                }
                if statuses.contains(&INTERNAL_ERROR) {
                    return Err("allowed: 13 (Internal Error) is never a right ending".into());
                }
                allowed = Some(statuses);
            }
            "layer" => {
                let list: Vec<String> = value.split(',').map(|l| l.trim().to_string()).collect();
                if let Some(bad) = list.iter().find(|l| !LAYERS.contains(&l.as_str())) {
                    return Err(format!("layer: {bad:?} is not one of {LAYERS:?}"));
                }
                layers = Some(list);
            }
            "language" => {
                header.language = Some(value.parse().map_err(|_| format!("language: {value:?}"))?)
            }
            "args" => header.args = Some(value),
            "stdin" => header.stdin = Some(value),
            "compiler_options" => header.compiler_options = Some(value),
            "limits" => header.limits = parse_limits(&value)?,
            "http" => {
                header.http = value
                    .split_whitespace()
                    .map(|s| s.parse::<u16>().map_err(|_| format!("http: {s:?}")))
                    .collect::<Result<Vec<u16>, String>>()?
            }
            "enable_network" => {
                header.enable_network = value
                    .parse()
                    .map_err(|_| format!("enable_network: {value:?}"))?
            }
            "role" => {
                header.role = Some(match value.as_str() {
                    "hider" => Role::Hider,
                    "hunter" => Role::Hunter,
                    _ => return Err(format!("role: {value:?} (hider or hunter)")),
                })
            }
            "zip" => {
                header.zip = Some(match value.as_str() {
                    "run" => ZipRole::Run,
                    "compile" => ZipRole::Compile,
                    _ => return Err(format!("zip: {value:?} (run or compile)")),
                })
            }
            "zip-link" => {
                let (name, target) = value
                    .split_once("->")
                    .ok_or_else(|| format!("zip-link: {value:?} (NAME -> TARGET)"))?;
                header
                    .zip_links
                    .push((name.trim().to_string(), target.trim().to_string()));
            }
            "zip-file" => {
                let (name, content) = value
                    .split_once('=')
                    .ok_or_else(|| format!("zip-file: {value:?} (NAME=CONTENT)"))?;
                header
                    .zip_files
                    .push((name.trim().to_string(), content.to_string()));
            }
            "zip-zeros" => {
                let (name, kb) = value
                    .split_once(' ')
                    .ok_or_else(|| format!("zip-zeros: {value:?} (NAME KB)"))?;
                let kb = kb
                    .trim()
                    .parse()
                    .map_err(|_| format!("zip-zeros: {value:?}"))?;
                header.zip_zeros.push((name.to_string(), kb));
            }
            _ => return Err(format!("unknown key `{key}`")),
        }
    }
    header.tries = tries.ok_or("no `tries:`")?;
    header.allowed = allowed.ok_or("no `allowed:`")?;
    header.why = why.ok_or("no `why:`")?;
    header.layers = layers.ok_or("no `layer:`")?;
    let zip_extras = !header.zip_links.is_empty()
        || !header.zip_files.is_empty()
        || !header.zip_zeros.is_empty();
    if zip_extras && header.zip.is_none() {
        return Err("zip-link, zip-file and zip-zeros need `zip:`".into());
    }
    if header.zip.is_some() && header.language != Some(89) {
        return Err("`zip:` is for the multi-file program: add `language: 89`".into());
    }
    if let Some(bad) = header
        .http
        .iter()
        .find(|s| **s != 201 && !(400..500).contains(*s))
    {
        return Err(format!("http: {bad} (201, or a 4xx the API may answer)"));
    }
    Ok(header)
}

fn parse_limits(text: &str) -> Result<Limits, String> {
    let mut limits = Limits::default();
    for pair in text.split_whitespace() {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("limits: {pair:?} (KEY=VALUE)"))?;
        let float = || {
            value
                .parse::<f64>()
                .map_err(|_| format!("limits: {pair:?}"))
        };
        let int = || {
            value
                .parse::<u64>()
                .map_err(|_| format!("limits: {pair:?}"))
        };
        match key {
            "cpu" => limits.cpu = Some(float()?),
            "wall" => limits.wall = Some(float()?),
            "memory" => limits.memory = Some(int()?),
            "stack" => limits.stack = Some(int()?),
            "processes" => limits.processes = Some(int()?),
            "file_size" => limits.file_size = Some(int()?),
            "runs" => limits.runs = Some(int()?),
            _ => return Err(format!("limits: unknown limit {key:?}")),
        }
    }
    Ok(limits)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "// tries: a thing\n// allowed: 3 11\n// why: because\n//   it is so\n// layer: seccomp, uid\n// limits: cpu=2 runs=2\nint main;\n";

    #[test]
    fn a_complete_header_parses() {
        let h = parse_header(GOOD, "//").unwrap();
        assert_eq!(h.tries, "a thing");
        assert_eq!(h.allowed, [3, 11]);
        assert_eq!(h.why, "because it is so");
        assert_eq!(h.layers, ["seccomp", "uid"]);
        assert_eq!(h.limits.cpu, Some(2.0));
        assert_eq!(h.limits.runs, Some(2));
        assert_eq!(h.http, [201]);
    }

    #[test]
    fn bad_headers_are_refused() {
        let cases = [
            ("// allowed: 3\n// why: x\n// layer: uid\n", "no `tries:`"),
            ("// tries: x\n// why: x\n// layer: uid\n", "no `allowed:`"),
            (
                "// tries: x\n// allowed: 3 13\n// why: x\n// layer: uid\n",
                "13",
            ),
            (
                "// tries: x\n// allowed: 3\n// why: x\n// layer: magic\n",
                "magic",
            ),
            (
                "// tries: x\n// allowed: 3\n// why: x\n// layer: uid\n// colour: red\n",
                "unknown key",
            ),
            (
                "// tries: x\n// tries: y\n// allowed: 3\n// why: x\n// layer: uid\n",
                "twice",
            ),
            (
                "// tries: x\n// allowed: 3\n// why: x\n// layer: uid\n// zip: run\n",
                "language: 89",
            ),
            ("int main;\n", "no `tries:`"),
        ];
        for (text, why) in cases {
            let err = parse_header(text, "//").unwrap_err();
            assert!(err.contains(why), "{text:?} gave {err:?}, not {why:?}");
        }
    }

    #[test]
    fn placeholders_are_filled_and_unknown_ones_refused() {
        let mut values = BTreeMap::new();
        values.insert("server_pid", "42".to_string());
        values.insert("tcp6_port", "7".to_string());
        assert_eq!(
            fill("pid {server_pid} {} {tcp6_port}", &values).unwrap(),
            "pid 42 {} 7"
        );
        assert!(fill("{nope}", &values).is_err());
    }
}
