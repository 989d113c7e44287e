//! Judge0's JSON, byte for byte: a submission's fields in column order, decimals as strings,
//! Ruby's `Base64.encode64` (a newline every 60 characters and at the end), timestamps with
//! milliseconds and `Z`, and the `fields` parameter.

use base64::Engine as _;
use judgebox_spec::Status;
use serde_json::{json, Map, Value};

/// Every field a client may ask for, in the order Judge0 prints them (its column order, then
/// the two virtual fields).
pub const ALL_FIELDS: [&str; 35] = [
    "source_code",
    "language_id",
    "stdin",
    "expected_output",
    "stdout",
    "status_id",
    "created_at",
    "finished_at",
    "time",
    "memory",
    "stderr",
    "token",
    "number_of_runs",
    "cpu_time_limit",
    "cpu_extra_time",
    "wall_time_limit",
    "memory_limit",
    "stack_limit",
    "max_processes_and_or_threads",
    "enable_per_process_and_thread_time_limit",
    "enable_per_process_and_thread_memory_limit",
    "max_file_size",
    "compile_output",
    "exit_code",
    "exit_signal",
    "message",
    "wall_time",
    "compiler_options",
    "command_line_arguments",
    "redirect_stderr_to_stdout",
    "callback_url",
    "additional_files",
    "enable_network",
    "status",
    "language",
];

/// What a client gets without `fields`.
pub const DEFAULT_FIELDS: [&str; 8] = [
    "stdout",
    "time",
    "memory",
    "stderr",
    "token",
    "compile_output",
    "message",
    "status",
];

/// The fields to print, as a mask over [`ALL_FIELDS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fields([bool; ALL_FIELDS.len()]);

impl Fields {
    pub fn all() -> Fields {
        Fields([true; ALL_FIELDS.len()])
    }

    pub fn default_set() -> Fields {
        let mut mask = [false; ALL_FIELDS.len()];
        for (i, name) in ALL_FIELDS.iter().enumerate() {
            mask[i] = DEFAULT_FIELDS.contains(name);
        }
        Fields(mask)
    }

    /// Judge0's `fields` parameter: comma-separated, not trimmed; `*` anywhere means all;
    /// empty or absent means the default eight. Unknown names give Judge0's error text.
    pub fn parse(param: Option<&str>) -> Result<Fields, String> {
        let Some(param) = param.filter(|p| !p.is_empty()) else {
            return Ok(Fields::default_set());
        };
        let names: Vec<&str> = param.split(',').collect();
        let invalid: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| *n != "*" && !ALL_FIELDS.contains(n))
            .collect();
        if !invalid.is_empty() {
            return Err(format!("invalid fields: [{}]", invalid.join(", ")));
        }
        if names.contains(&"*") {
            return Ok(Fields::all());
        }
        let mut mask = [false; ALL_FIELDS.len()];
        for (i, name) in ALL_FIELDS.iter().enumerate() {
            mask[i] = names.contains(name);
        }
        Ok(Fields(mask))
    }

    fn has(&self, i: usize) -> bool {
        self.0[i]
    }
}

/// A submission as Judge0 shows it: every column, in Judge0's terms.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SubmissionView {
    pub source_code: Option<Vec<u8>>,
    pub language_id: u32,
    pub language_name: String,
    pub stdin: Option<Vec<u8>>,
    pub expected_output: Option<Vec<u8>>,
    pub stdout: Option<Vec<u8>>,
    pub status: Option<Status>,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    pub finished_at: Option<i64>,
    pub time: Option<f64>,
    pub memory: Option<u64>,
    pub stderr: Option<Vec<u8>>,
    pub token: String,
    pub number_of_runs: u32,
    pub cpu_time_limit: f64,
    pub cpu_extra_time: f64,
    pub wall_time_limit: f64,
    pub memory_limit: u64,
    pub stack_limit: u64,
    pub max_processes_and_or_threads: u64,
    pub enable_per_process_and_thread_time_limit: bool,
    pub enable_per_process_and_thread_memory_limit: bool,
    pub max_file_size: u64,
    pub compile_output: Option<Vec<u8>>,
    pub exit_code: Option<i32>,
    pub exit_signal: Option<i32>,
    pub message: Option<String>,
    pub wall_time: Option<f64>,
    pub compiler_options: Option<String>,
    pub command_line_arguments: Option<String>,
    pub redirect_stderr_to_stdout: bool,
    pub callback_url: Option<String>,
    pub additional_files: Option<Vec<u8>>,
    pub enable_network: bool,
}

/// A text field that is not valid UTF-8 was asked for without `base64_encoded=true`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotUtf8;

/// Prints `view`'s chosen fields. Without base64 the texts must be UTF-8 (Judge0 refuses
/// even valid UTF-8 beyond ASCII; judgebox prints valid UTF-8 and refuses only invalid
/// bytes, which no JSON string can carry).
pub fn render(view: &SubmissionView, fields: Fields, base64: bool) -> Result<Value, NotUtf8> {
    let text = |bytes: &Option<Vec<u8>>| -> Result<Value, NotUtf8> {
        match bytes {
            None => Ok(Value::Null),
            Some(b) if base64 => Ok(Value::String(encode64(b))),
            Some(b) => std::str::from_utf8(b)
                .map(|s| Value::String(s.to_string()))
                .map_err(|_| NotUtf8),
        }
    };
    let opt_str = |s: &Option<String>| s.clone().map_or(Value::Null, Value::String);
    let opt_dec = |d: Option<f64>| d.map_or(Value::Null, |d| Value::String(decimal(d)));
    let opt_time = |t: Option<i64>| t.map_or(Value::Null, |t| Value::String(timestamp(t)));
    let status = view.status.unwrap_or(Status::InQueue);
    let mut out = Map::new();
    for (i, name) in ALL_FIELDS.iter().enumerate() {
        if !fields.has(i) {
            continue;
        }
        let value = match *name {
            "source_code" => text(&view.source_code)?,
            "language_id" => json!(view.language_id),
            "stdin" => text(&view.stdin)?,
            "expected_output" => text(&view.expected_output)?,
            "stdout" => text(&view.stdout)?,
            "status_id" => json!(status.id()),
            "created_at" => Value::String(timestamp(view.created_at)),
            "finished_at" => opt_time(view.finished_at),
            "time" => opt_dec(view.time),
            "memory" => json!(view.memory),
            "stderr" => text(&view.stderr)?,
            "token" => json!(view.token),
            "number_of_runs" => json!(view.number_of_runs),
            "cpu_time_limit" => Value::String(decimal(view.cpu_time_limit)),
            "cpu_extra_time" => Value::String(decimal(view.cpu_extra_time)),
            "wall_time_limit" => Value::String(decimal(view.wall_time_limit)),
            "memory_limit" => json!(view.memory_limit),
            "stack_limit" => json!(view.stack_limit),
            "max_processes_and_or_threads" => json!(view.max_processes_and_or_threads),
            "enable_per_process_and_thread_time_limit" => {
                json!(view.enable_per_process_and_thread_time_limit)
            }
            "enable_per_process_and_thread_memory_limit" => {
                json!(view.enable_per_process_and_thread_memory_limit)
            }
            "max_file_size" => json!(view.max_file_size),
            "compile_output" => text(&view.compile_output)?,
            "exit_code" => json!(view.exit_code),
            "exit_signal" => json!(view.exit_signal),
            "message" => match &view.message {
                Some(m) if base64 => Value::String(encode64(m.as_bytes())),
                m => opt_str(m),
            },
            "wall_time" => opt_dec(view.wall_time),
            "compiler_options" => opt_str(&view.compiler_options),
            "command_line_arguments" => opt_str(&view.command_line_arguments),
            "redirect_stderr_to_stdout" => json!(view.redirect_stderr_to_stdout),
            "callback_url" => opt_str(&view.callback_url),
            "additional_files" => view
                .additional_files
                .as_deref()
                .map_or(Value::Null, |b| Value::String(encode64(b))),
            "enable_network" => json!(view.enable_network),
            "status" => json!({"id": status.id(), "description": status.description()}),
            "language" => json!({"id": view.language_id, "name": view.language_name}),
            other => unreachable!("field {other} is in ALL_FIELDS"),
        };
        out.insert(name.to_string(), value);
    }
    Ok(Value::Object(out))
}

/// Ruby's `Base64.encode64`: standard alphabet with padding, a newline after every 60
/// characters and at the end; nothing at all for no bytes.
pub fn encode64(bytes: &[u8]) -> String {
    let flat = base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut out = String::with_capacity(flat.len() + flat.len() / 60 + 1);
    for chunk in flat.as_bytes().chunks(60) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        out.push('\n');
    }
    out
}

/// Ruby's `Base64.decode64`: never fails; characters outside the alphabet are skipped and
/// decoding stops at the first `=`. A trailing partial group yields what bytes it can.
pub fn decode64(text: &str) -> Vec<u8> {
    fn value(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in text.as_bytes() {
        if c == b'=' {
            break;
        }
        let Some(v) = value(c) else { continue };
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// `BigDecimal#to_s("F")`: plain digits, trailing zeros dropped, at least one decimal
/// (`5.0`, `0.002`, `0.0025`).
pub fn decimal(value: f64) -> String {
    // Display never uses an exponent and prints the shortest text that reads back the same.
    let text = format!("{value}");
    if text.contains('.') || !value.is_finite() {
        text
    } else {
        format!("{text}.0")
    }
}

/// Rails' JSON time: `2024-04-04T05:22:23.712Z`.
pub fn timestamp(millis: i64) -> String {
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_millis(millis.max(0) as u64);
    humantime::format_rfc3339_millis(at).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_is_ruby_encode64() {
        assert_eq!(encode64(b"hello, Judge0\n"), "aGVsbG8sIEp1ZGdlMAo=\n");
        assert_eq!(encode64(b""), "");
        let long = encode64(&[b'a'; 90]);
        let lines: Vec<&str> = long.split_terminator('\n').collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].len(), 60);
        assert!(long.ends_with('\n'));
    }

    #[test]
    fn base64_decoding_is_lenient_like_ruby() {
        assert_eq!(decode64("aGVsbG8sIEp1ZGdlMAo=\n"), b"hello, Judge0\n");
        assert_eq!(decode64("aGVs\nbG8=junk"), b"hello");
        assert_eq!(decode64("!!!"), b"");
        assert_eq!(decode64("aGVsbG8"), b"hello");
        let wrapped = encode64(&[7u8; 200]);
        assert_eq!(decode64(&wrapped), vec![7u8; 200]);
    }

    #[test]
    fn decimals_and_timestamps_are_judge0s() {
        assert_eq!(decimal(5.0), "5.0");
        assert_eq!(decimal(0.002), "0.002");
        assert_eq!(decimal(0.0025), "0.0025");
        assert_eq!(decimal(0.0), "0.0");
        assert_eq!(decimal(15.0), "15.0");
        assert_eq!(decimal(0.00001), "0.00001");
        assert_eq!(timestamp(1_712_208_143_712), "2024-04-04T05:22:23.712Z");
        assert_eq!(timestamp(0), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn fields_parse_like_judge0() {
        assert_eq!(Fields::parse(None).unwrap(), Fields::default_set());
        assert_eq!(Fields::parse(Some("")).unwrap(), Fields::default_set());
        assert_eq!(Fields::parse(Some("token,*")).unwrap(), Fields::all());
        assert_eq!(
            Fields::parse(Some("a, b,token")).unwrap_err(),
            "invalid fields: [a,  b]"
        );
        assert_eq!(
            Fields::parse(Some("*,nope")).unwrap_err(),
            "invalid fields: [nope]"
        );
    }

    #[test]
    fn rendering_follows_column_order_and_base64_rules() {
        let view = SubmissionView {
            token: "t".into(),
            stdout: Some(b"hi\n".to_vec()),
            status: Some(Status::Accepted),
            time: Some(0.002),
            memory: Some(1024),
            message: Some("m".into()),
            ..SubmissionView::default()
        };
        let fields = Fields::parse(Some("status,token,time,stdout")).unwrap();
        let plain = render(&view, fields, false).unwrap();
        assert_eq!(
            serde_json::to_string(&plain).unwrap(),
            r#"{"stdout":"hi\n","time":"0.002","token":"t","status":{"id":3,"description":"Accepted"}}"#
        );
        let b64 = render(&view, Fields::default_set(), true).unwrap();
        assert_eq!(b64["stdout"], "aGkK\n");
        assert_eq!(b64["message"], "bQ==\n");
        let keys: Vec<&String> = b64.as_object().unwrap().keys().collect();
        assert_eq!(keys, DEFAULT_FIELDS.to_vec().iter().collect::<Vec<_>>());
        let bad = SubmissionView {
            stdout: Some(vec![0xff]),
            ..view.clone()
        };
        assert_eq!(render(&bad, Fields::default_set(), false), Err(NotUtf8));
        assert!(render(&bad, Fields::default_set(), true).is_ok());
        let all = render(&view, Fields::all(), false).unwrap();
        assert_eq!(all.as_object().unwrap().len(), 35);
    }
}
