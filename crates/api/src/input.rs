//! A submission as a client sends it: Rails-style parameters (query string, JSON body and
//! form body merged; numbers and booleans as strings or not), resolved against the
//! configuration and validated with Judge0's rules and messages, in Judge0's order.

use judgebox_store::{NewSubmission, Timestamp};
use serde_json::{Map, Value};

use crate::config::Config;
use crate::format::{decimal, decode64};
use crate::languages::{LanguageTable, Lookup};

/// Request parameters, merged. Later sources win.
pub type Params = Map<String, Value>;

/// Adds `key=value` pairs of a query string or form body.
pub fn merge_pairs(params: &mut Params, encoded: &[u8]) {
    for (k, v) in form_urlencoded::parse(encoded) {
        params.insert(k.into_owned(), Value::String(v.into_owned()));
    }
}

/// Judge0's errors hash: attribute → messages, attributes in the order they first failed.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Errors(Map<String, Value>);

impl Errors {
    fn add(&mut self, attribute: &str, message: impl Into<String>) {
        let entry = self
            .0
            .entry(attribute.to_string())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = entry {
            list.push(Value::String(message.into()));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_json(self) -> Value {
        Value::Object(self.0)
    }
}

/// A parameter's value as Rails sees it: `nil` for absent, `null` or an empty string.
fn present<'a>(params: &'a Params, name: &str) -> Option<&'a Value> {
    match params.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(v) => Some(v),
    }
}

/// Ruby's `to_s` of a scalar parameter.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A number the way numericality validation reads the raw value; `Err` is "is not a number".
fn number(value: &Value) -> Result<f64, ()> {
    match value {
        Value::Number(n) => n.as_f64().ok_or(()),
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or(()),
        _ => Err(()),
    }
}

/// ActiveModel's boolean cast.
fn boolean(value: &Value) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !matches!(
            s.as_str(),
            "0" | "f" | "F" | "false" | "FALSE" | "off" | "OFF"
        ),
        _ => true,
    }
}

/// Ruby's `String#blank?`: empty or whitespace only.
fn blank(bytes: &[u8]) -> bool {
    bytes.iter().all(|b| b.is_ascii_whitespace())
}

/// Limits as numbers, with the bound Judge0 checks; `is_float` prints bounds as `15.0`.
struct Bounded {
    name: &'static str,
    default: f64,
    min: f64,
    min_exclusive: bool,
    max: f64,
    is_float: bool,
}

fn bound_text(v: f64, is_float: bool) -> String {
    if is_float {
        decimal(v)
    } else {
        format!("{}", v as i64)
    }
}

/// Validates one submission's parameters; `Ok` is what the store keeps.
pub fn parse_submission(
    params: &Params,
    base64: bool,
    config: &Config,
    languages: &LanguageTable,
    token: String,
) -> Result<NewSubmission, Errors> {
    let mut errors = Errors::default();
    let bytes = |name: &str, decode: bool| -> Option<Vec<u8>> {
        present(params, name).map(|v| {
            let t = text(v);
            if decode {
                decode64(&t)
            } else {
                t.into_bytes()
            }
        })
    };
    let source_code = bytes("source_code", base64);
    // "" is not nil for a text column: Judge0 keeps an empty stdin or expected_output (and no
    // output then matches an empty expected output: Wrong Answer, where a missing one accepts
    // any output).
    let empty =
        |name: &str| (params.get(name) == Some(&Value::String(String::new()))).then(Vec::new);
    let stdin = bytes("stdin", base64).or_else(|| empty("stdin"));
    let expected_output = bytes("expected_output", base64).or_else(|| empty("expected_output"));
    let additional_files = bytes("additional_files", true).filter(|b| !b.is_empty());

    let language_id: Option<i64> = present(params, "language_id").map(|v| match number(v) {
        Ok(n) => n as i64,
        Err(()) => 0,
    });
    let lookup = language_id.map(|id| languages.lookup(id));
    let language = match &lookup {
        Some(Lookup::Active(l)) => Some(l),
        _ => None,
    };
    let is_project = language.is_some_and(|l| l.project);

    // Presence and absence, in Judge0's order.
    let source_blank = source_code.as_deref().is_none_or(blank);
    if is_project {
        if !source_blank {
            errors.add("source_code", "must be blank");
        }
    } else if source_blank {
        errors.add("source_code", "can't be blank");
    }
    if is_project && additional_files.is_none() {
        errors.add("additional_files", "can't be blank");
    }
    if language_id.is_none() {
        errors.add("language_id", "can't be blank");
    }

    let bounded = [
        Bounded {
            name: "number_of_runs",
            default: config.number_of_runs as f64,
            min: 0.0,
            min_exclusive: true,
            max: config.max_number_of_runs as f64,
            is_float: false,
        },
        Bounded {
            name: "cpu_time_limit",
            default: config.cpu_time_limit,
            min: 0.0,
            min_exclusive: false,
            max: config.max_cpu_time_limit,
            is_float: true,
        },
        Bounded {
            name: "cpu_extra_time",
            default: config.cpu_extra_time,
            min: 0.0,
            min_exclusive: false,
            max: config.max_cpu_extra_time,
            is_float: true,
        },
        Bounded {
            name: "wall_time_limit",
            default: config.wall_time_limit,
            min: 1.0,
            min_exclusive: false,
            max: config.max_wall_time_limit,
            is_float: true,
        },
        Bounded {
            name: "memory_limit",
            default: config.memory_limit as f64,
            min: 2048.0,
            min_exclusive: false,
            max: config.max_memory_limit as f64,
            is_float: false,
        },
        Bounded {
            name: "stack_limit",
            default: config.stack_limit as f64,
            min: 0.0,
            min_exclusive: false,
            max: config.max_stack_limit as f64,
            is_float: false,
        },
        Bounded {
            name: "max_processes_and_or_threads",
            default: config.max_processes_and_or_threads as f64,
            min: 0.0,
            min_exclusive: true,
            max: config.max_max_processes_and_or_threads as f64,
            is_float: false,
        },
    ];
    let mut values = [0.0f64; 7];
    for (i, b) in bounded.iter().enumerate() {
        values[i] = check_bounded(params, b, &mut errors);
    }

    let flag = |name: &str, default: bool| present(params, name).map_or(default, boolean);
    let per_time = flag(
        "enable_per_process_and_thread_time_limit",
        config.enable_per_process_and_thread_time_limit,
    );
    if per_time && !config.allow_enable_per_process_and_thread_time_limit {
        errors.add(
            "enable_per_process_and_thread_time_limit",
            "this option cannot be enabled",
        );
    }
    let per_memory = flag(
        "enable_per_process_and_thread_memory_limit",
        config.enable_per_process_and_thread_memory_limit,
    );
    if per_memory && !config.allow_enable_per_process_and_thread_memory_limit {
        errors.add(
            "enable_per_process_and_thread_memory_limit",
            "this option cannot be enabled",
        );
    }
    let max_file_size = check_bounded(
        params,
        &Bounded {
            name: "max_file_size",
            default: config.max_file_size as f64,
            min: 0.0,
            min_exclusive: false,
            max: config.max_max_file_size as f64,
            is_float: false,
        },
        &mut errors,
    );

    let string = |name: &str| present(params, name).map(text);
    let compiler_options = string("compiler_options");
    let command_line_arguments = string("command_line_arguments");
    for (name, value) in [
        ("compiler_options", &compiler_options),
        ("command_line_arguments", &command_line_arguments),
    ] {
        if value.as_ref().is_some_and(|v| v.chars().count() > 512) {
            errors.add(name, "is too long (maximum is 512 characters)");
        }
    }

    // The custom validators, in Judge0's order.
    match &lookup {
        None => errors.add("language_id", "language with id  doesn't exist"),
        Some(Lookup::Missing) => errors.add(
            "language_id",
            format!(
                "language with id {} doesn't exist",
                language_id.unwrap_or(0)
            ),
        ),
        Some(Lookup::Archived) => errors.add(
            "language_id",
            format!(
                "language with id {} is archived and cannot be used anymore",
                language_id.unwrap_or(0)
            ),
        ),
        Some(Lookup::Unavailable(why)) => errors.add(
            "language_id",
            format!(
                "language with id {} is not available on this server: {why}",
                language_id.unwrap_or(0)
            ),
        ),
        Some(Lookup::Active(_)) => {}
    }
    if compiler_options
        .as_deref()
        .is_some_and(|o| !o.trim().is_empty())
    {
        if !config.enable_compiler_options {
            errors.add(
                "compiler_options",
                "setting compiler options is not allowed",
            );
        } else if let Some(l) = language {
            let allowed = &config.allowed_languages_for_compiler_options;
            if !l.compiled {
                errors.add(
                    "compiler_options",
                    "setting compiler options is only allowed for compiled languages",
                );
            } else if !allowed.is_empty()
                && !allowed.iter().any(|a| l.name.starts_with(&format!("{a} ")))
            {
                errors.add(
                    "compiler_options",
                    format!(
                        "setting compiler options is only allowed for {}",
                        join_sentence(allowed)
                    ),
                );
            }
        }
    }
    if command_line_arguments
        .as_deref()
        .is_some_and(|a| !a.trim().is_empty())
        && !config.enable_command_line_arguments
    {
        errors.add(
            "command_line_arguments",
            "setting command line arguments is not allowed",
        );
    }
    let callback_url = string("callback_url");
    if callback_url.is_some() && !config.enable_callbacks {
        errors.add("callback_url", "setting callback is not allowed");
    }
    if additional_files.is_some() && !config.enable_additional_files {
        errors.add(
            "additional_files",
            "setting additional files is not allowed",
        );
    }
    let enable_network = flag("enable_network", config.enable_network);
    if enable_network && !config.allow_enable_network {
        errors.add("enable_network", "enabling network is not allowed");
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(NewSubmission {
        token,
        source_code: if is_project { None } else { source_code },
        language_id: language_id.unwrap_or(0) as u32,
        stdin,
        expected_output,
        number_of_runs: values[0] as u32,
        cpu_time_limit: values[1],
        cpu_extra_time: values[2],
        wall_time_limit: values[3],
        memory_limit: values[4] as u64,
        stack_limit: values[5] as u64,
        max_processes_and_or_threads: values[6] as u32,
        enable_per_process_and_thread_time_limit: per_time,
        enable_per_process_and_thread_memory_limit: per_memory,
        max_file_size: max_file_size as u64,
        compiler_options,
        command_line_arguments,
        redirect_stderr_to_stdout: flag(
            "redirect_stderr_to_stdout",
            config.redirect_stderr_to_stdout,
        ),
        callback_url,
        additional_files,
        enable_network,
        created_at: Timestamp::now(),
    })
}

fn check_bounded(params: &Params, b: &Bounded, errors: &mut Errors) -> f64 {
    let Some(raw) = present(params, b.name) else {
        return b.default;
    };
    let Ok(v) = number(raw) else {
        errors.add(b.name, "is not a number");
        return b.default;
    };
    let min = bound_text(b.min, false);
    if b.min_exclusive && v <= b.min {
        errors.add(b.name, format!("must be greater than {min}"));
    } else if !b.min_exclusive && v < b.min {
        errors.add(b.name, format!("must be greater than or equal to {min}"));
    } else if v > b.max {
        errors.add(
            b.name,
            format!(
                "must be less than or equal to {}",
                bound_text(b.max, b.is_float)
            ),
        );
    }
    if b.is_float {
        v
    } else {
        v.trunc()
    }
}

/// Rails' `to_sentence`: "C", "C and C++", "C, C++ and Java".
fn join_sentence(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::languages::LanguageRow;

    fn table() -> LanguageTable {
        LanguageTable::new(vec![
            LanguageRow::archived(4, "C (gcc 7.2.0)"),
            LanguageRow::active(
                50,
                "C (GCC 12.2.0)",
                Some("main.c"),
                Some("gcc %s main.c"),
                Some("./a.out"),
                true,
                false,
                None,
            ),
            LanguageRow::active(
                71,
                "Python (3.11.2)",
                Some("script.py"),
                None,
                Some("python3 script.py"),
                false,
                false,
                None,
            ),
            LanguageRow::active(89, "Multi-file program", None, None, None, true, true, None),
            LanguageRow::active(
                70,
                "Python (2.7.17)",
                Some("script.py"),
                None,
                Some("python2 script.py"),
                false,
                false,
                Some("not packaged".into()),
            ),
        ])
    }

    fn parse(json: &str, config: &Config) -> Result<NewSubmission, Value> {
        let params: Params = serde_json::from_str(json).unwrap();
        parse_submission(&params, false, config, &table(), "t".into()).map_err(Errors::into_json)
    }

    #[test]
    fn defaults_fill_what_is_left_out() {
        let s = parse(
            r#"{"source_code":"print(1)","language_id":"71"}"#,
            &Config::default(),
        )
        .unwrap();
        assert_eq!(
            (
                s.language_id,
                s.number_of_runs,
                s.cpu_time_limit,
                s.memory_limit
            ),
            (71, 1, 5.0, 128000)
        );
        assert_eq!(
            (s.max_file_size, s.max_processes_and_or_threads),
            (1024, 60)
        );
        let s = parse(r#"{"source_code":"x","language_id":71,"memory_limit":65536.0,"cpu_time_limit":"2.5","redirect_stderr_to_stdout":"1"}"#, &Config::default()).unwrap();
        assert_eq!(
            (
                s.memory_limit,
                s.cpu_time_limit,
                s.redirect_stderr_to_stdout
            ),
            (65536, 2.5, true)
        );
    }

    #[test]
    fn errors_are_judge0s_in_judge0s_order() {
        let c = Config::default();
        assert_eq!(
            serde_json::to_string(&parse(r#"{"source_code":"x"}"#, &c).unwrap_err()).unwrap(),
            r#"{"language_id":["can't be blank","language with id  doesn't exist"]}"#
        );
        let e = parse(
            r#"{"language_id":150000,"wall_time_limit":25,"memory_limit":"abc","number_of_runs":0,"cpu_time_limit":16}"#,
            &c,
        )
        .unwrap_err();
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"source_code":["can't be blank"],"number_of_runs":["must be greater than 0"],"cpu_time_limit":["must be less than or equal to 15.0"],"wall_time_limit":["must be less than or equal to 20.0"],"memory_limit":["is not a number"],"language_id":["language with id 150000 doesn't exist"]}"#
        );
        let e = parse(r#"{"source_code":"x","language_id":4}"#, &c).unwrap_err();
        assert_eq!(
            e["language_id"][0],
            "language with id 4 is archived and cannot be used anymore"
        );
        let e = parse(r#"{"source_code":"x","language_id":71,"compiler_options":"-O2","enable_network":true}"#, &c).unwrap_err();
        assert_eq!(
            e["compiler_options"][0],
            "setting compiler options is only allowed for compiled languages"
        );
        assert_eq!(e["enable_network"][0], "enabling network is not allowed");
        let e = parse(r#"{"source_code":"x","language_id":70}"#, &c).unwrap_err();
        assert!(e["language_id"][0]
            .as_str()
            .unwrap()
            .contains("not available"));
    }

    #[test]
    fn projects_take_files_not_source() {
        let c = Config::default();
        let e = parse(r#"{"source_code":"x","language_id":89}"#, &c).unwrap_err();
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"source_code":["must be blank"],"additional_files":["can't be blank"]}"#
        );
        let s = parse(
            r#"{"language_id":89,"additional_files":"UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="}"#,
            &c,
        )
        .unwrap();
        assert_eq!(s.additional_files.unwrap().len(), 22);
    }

    #[test]
    fn compiler_options_follow_the_allow_list() {
        let c = Config {
            allowed_languages_for_compiler_options: vec!["C".into(), "C++".into(), "Java".into()],
            ..Config::default()
        };
        assert!(parse(
            r#"{"source_code":"x","language_id":50,"compiler_options":"-O2"}"#,
            &c
        )
        .is_ok());
        let c = Config {
            allowed_languages_for_compiler_options: vec!["C++".into(), "Java".into()],
            ..Config::default()
        };
        let e = parse(
            r#"{"source_code":"x","language_id":50,"compiler_options":"-O2"}"#,
            &c,
        )
        .unwrap_err();
        assert_eq!(
            e["compiler_options"][0],
            "setting compiler options is only allowed for C++ and Java"
        );
        assert_eq!(
            join_sentence(&["a".into(), "b".into(), "c".into()]),
            "a, b and c"
        );
    }
}
