//! The service's configuration, in Judge0's terms: every `judge0.conf` variable keeps its
//! name and default, so an operator's existing file works as environment variables. A TOML
//! file (the same names in lower case) and then the environment override the defaults.

use std::collections::BTreeMap;

use serde_json::{json, Value};

/// Every setting the API and the engine read. Defaults are Judge0 CE 1.13.1's, except
/// `allow_enable_network` (see [`Config::default`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub maintenance_mode: bool,
    pub maintenance_message: String,
    pub enable_wait_result: bool,
    pub enable_compiler_options: bool,
    pub allowed_languages_for_compiler_options: Vec<String>,
    pub enable_command_line_arguments: bool,
    pub enable_submission_delete: bool,
    pub enable_callbacks: bool,
    pub callbacks_max_tries: u32,
    pub callbacks_timeout: f64,
    pub enable_additional_files: bool,
    pub max_queue_size: usize,
    pub cpu_time_limit: f64,
    pub max_cpu_time_limit: f64,
    pub cpu_extra_time: f64,
    pub max_cpu_extra_time: f64,
    pub wall_time_limit: f64,
    pub max_wall_time_limit: f64,
    pub memory_limit: u64,
    pub max_memory_limit: u64,
    pub stack_limit: u64,
    pub max_stack_limit: u64,
    pub max_processes_and_or_threads: u64,
    pub max_max_processes_and_or_threads: u64,
    pub enable_per_process_and_thread_time_limit: bool,
    pub allow_enable_per_process_and_thread_time_limit: bool,
    pub enable_per_process_and_thread_memory_limit: bool,
    pub allow_enable_per_process_and_thread_memory_limit: bool,
    pub max_file_size: u64,
    pub max_max_file_size: u64,
    pub number_of_runs: u64,
    pub max_number_of_runs: u64,
    pub redirect_stderr_to_stdout: bool,
    pub max_extract_size: u64,
    pub enable_batched_submissions: bool,
    pub max_submission_batch_size: usize,
    pub submission_cache_duration: f64,
    pub use_docs_as_homepage: bool,
    pub allow_enable_network: bool,
    pub enable_network: bool,
    pub authn_header: String,
    pub authn_token: Vec<String>,
    pub authz_header: String,
    pub authz_token: Vec<String>,
    pub allow_origin: Vec<String>,
    pub disallow_origin: Vec<String>,
    pub allow_ip: Vec<String>,
    pub disallow_ip: Vec<String>,
    /// judgebox: purge a finished submission's source, input and outputs this many seconds
    /// after it finished; 0 keeps them forever (Judge0's behaviour).
    pub retention_seconds: u64,
    /// judgebox: the largest request body, bytes.
    pub max_body_size: usize,
    /// Judge0's `COUNT`: how many workers (one jail each) judge at once; `None` is
    /// Judge0's default, twice the CPUs (see [`Config::workers`]).
    pub count: Option<usize>,
}

impl Default for Config {
    /// Judge0's defaults, with one deliberate exception: `ALLOW_ENABLE_NETWORK` is false.
    /// Judge0 ships it true, which is half of CVE-2024-29021 (a box reaching the database on
    /// the host's network); an operator who wants networked boxes says so.
    fn default() -> Self {
        Config {
            maintenance_mode: false,
            maintenance_message: "Judge0 is currently in maintenance.".into(),
            enable_wait_result: true,
            enable_compiler_options: true,
            allowed_languages_for_compiler_options: Vec::new(),
            enable_command_line_arguments: true,
            enable_submission_delete: false,
            enable_callbacks: true,
            callbacks_max_tries: 3,
            callbacks_timeout: 5.0,
            enable_additional_files: true,
            max_queue_size: 100,
            cpu_time_limit: 5.0,
            max_cpu_time_limit: 15.0,
            cpu_extra_time: 1.0,
            max_cpu_extra_time: 5.0,
            wall_time_limit: 10.0,
            max_wall_time_limit: 20.0,
            memory_limit: 128_000,
            max_memory_limit: 512_000,
            stack_limit: 64_000,
            max_stack_limit: 128_000,
            max_processes_and_or_threads: 60,
            max_max_processes_and_or_threads: 120,
            enable_per_process_and_thread_time_limit: false,
            allow_enable_per_process_and_thread_time_limit: true,
            enable_per_process_and_thread_memory_limit: false,
            allow_enable_per_process_and_thread_memory_limit: true,
            max_file_size: 1024,
            max_max_file_size: 4096,
            number_of_runs: 1,
            max_number_of_runs: 20,
            redirect_stderr_to_stdout: false,
            max_extract_size: 10_240,
            enable_batched_submissions: true,
            max_submission_batch_size: 20,
            submission_cache_duration: 1.0,
            use_docs_as_homepage: false,
            allow_enable_network: false,
            enable_network: false,
            authn_header: "X-Auth-Token".into(),
            authn_token: Vec::new(),
            authz_header: "X-Auth-User".into(),
            authz_token: Vec::new(),
            allow_origin: Vec::new(),
            disallow_origin: Vec::new(),
            allow_ip: Vec::new(),
            disallow_ip: Vec::new(),
            retention_seconds: 0,
            max_body_size: 64 << 20,
            count: None,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConfigError {
    #[error("{name}={value:?}: {why}")]
    Invalid {
        name: String,
        value: String,
        why: &'static str,
    },
    #[error("reading {path}: {message}")]
    File { path: String, message: String },
}

/// A boolean Judge0 reads as `X == "true"` (default false) or `X != "false"` (default true).
fn boolean(value: &str, default: bool) -> bool {
    if default {
        value != "false"
    } else {
        value == "true"
    }
}

fn words(value: &str) -> Vec<String> {
    value.split_whitespace().map(str::to_string).collect()
}

impl Config {
    /// Defaults, then the TOML file's values, then `vars` (the environment).
    pub fn load(
        toml_text: Option<(&str, &str)>,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let mut settings: BTreeMap<String, String> = BTreeMap::new();
        if let Some((path, text)) = toml_text {
            let table: toml::Table = toml::from_str(text).map_err(|e| ConfigError::File {
                path: path.to_string(),
                message: e.to_string(),
            })?;
            for (key, value) in table {
                let text = match value {
                    toml::Value::String(s) => s,
                    toml::Value::Array(items) => items
                        .iter()
                        .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                        .collect::<Vec<_>>()
                        .join(" "),
                    other => other.to_string(),
                };
                let name = key.to_uppercase();
                if !KNOWN.contains(&name.as_str()) {
                    return Err(ConfigError::File {
                        path: path.to_string(),
                        message: format!("unknown setting {key:?}"),
                    });
                }
                settings.insert(name, text);
            }
        }
        for (name, value) in vars {
            if KNOWN.contains(&name.as_str()) {
                settings.insert(name, value);
            }
        }
        let mut c = Config::default();
        for (name, value) in &settings {
            c.set(name, value)?;
        }
        Ok(c)
    }

    fn set(&mut self, name: &str, value: &str) -> Result<(), ConfigError> {
        let invalid = |why| ConfigError::Invalid {
            name: name.to_string(),
            value: value.to_string(),
            why,
        };
        let float = || -> Result<f64, ConfigError> {
            value
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| invalid("not a non-negative number"))
        };
        let int = || -> Result<u64, ConfigError> {
            let v = float()?;
            Ok(v as u64)
        };
        match name {
            "MAINTENANCE_MODE" => self.maintenance_mode = boolean(value, false),
            "MAINTENANCE_MESSAGE" => self.maintenance_message = value.to_string(),
            "ENABLE_WAIT_RESULT" => self.enable_wait_result = boolean(value, true),
            "ENABLE_COMPILER_OPTIONS" => self.enable_compiler_options = boolean(value, true),
            "ALLOWED_LANGUAGES_FOR_COMPILER_OPTIONS" => {
                self.allowed_languages_for_compiler_options = words(value)
            }
            "ENABLE_COMMAND_LINE_ARGUMENTS" => {
                self.enable_command_line_arguments = boolean(value, true)
            }
            "ENABLE_SUBMISSION_DELETE" => self.enable_submission_delete = boolean(value, false),
            "ENABLE_CALLBACKS" => self.enable_callbacks = boolean(value, true),
            "CALLBACKS_MAX_TRIES" => self.callbacks_max_tries = int()? as u32,
            "CALLBACKS_TIMEOUT" => self.callbacks_timeout = float()?,
            "ENABLE_ADDITIONAL_FILES" => self.enable_additional_files = boolean(value, true),
            "MAX_QUEUE_SIZE" => self.max_queue_size = int()? as usize,
            "CPU_TIME_LIMIT" => self.cpu_time_limit = float()?,
            "MAX_CPU_TIME_LIMIT" => self.max_cpu_time_limit = float()?,
            "CPU_EXTRA_TIME" => self.cpu_extra_time = float()?,
            "MAX_CPU_EXTRA_TIME" => self.max_cpu_extra_time = float()?,
            "WALL_TIME_LIMIT" => self.wall_time_limit = float()?,
            "MAX_WALL_TIME_LIMIT" => self.max_wall_time_limit = float()?,
            "MEMORY_LIMIT" => self.memory_limit = int()?,
            "MAX_MEMORY_LIMIT" => self.max_memory_limit = int()?,
            "STACK_LIMIT" => self.stack_limit = int()?,
            "MAX_STACK_LIMIT" => self.max_stack_limit = int()?,
            "MAX_PROCESSES_AND_OR_THREADS" => self.max_processes_and_or_threads = int()?,
            "MAX_MAX_PROCESSES_AND_OR_THREADS" => self.max_max_processes_and_or_threads = int()?,
            "ENABLE_PER_PROCESS_AND_THREAD_TIME_LIMIT" => {
                self.enable_per_process_and_thread_time_limit = boolean(value, false)
            }
            "ALLOW_ENABLE_PER_PROCESS_AND_THREAD_TIME_LIMIT" => {
                self.allow_enable_per_process_and_thread_time_limit = boolean(value, true)
            }
            "ENABLE_PER_PROCESS_AND_THREAD_MEMORY_LIMIT" => {
                self.enable_per_process_and_thread_memory_limit = boolean(value, false)
            }
            "ALLOW_ENABLE_PER_PROCESS_AND_THREAD_MEMORY_LIMIT" => {
                self.allow_enable_per_process_and_thread_memory_limit = boolean(value, true)
            }
            "MAX_FILE_SIZE" => self.max_file_size = int()?,
            "MAX_MAX_FILE_SIZE" => self.max_max_file_size = int()?,
            "NUMBER_OF_RUNS" => self.number_of_runs = int()?,
            "MAX_NUMBER_OF_RUNS" => self.max_number_of_runs = int()?,
            "REDIRECT_STDERR_TO_STDOUT" => self.redirect_stderr_to_stdout = boolean(value, false),
            "MAX_EXTRACT_SIZE" => self.max_extract_size = int()?,
            "COUNT" => match int()? {
                0 => return Err(invalid("not a number of workers (at least 1)")),
                n => self.count = Some(n as usize),
            },
            "ENABLE_BATCHED_SUBMISSIONS" => self.enable_batched_submissions = boolean(value, true),
            "MAX_SUBMISSION_BATCH_SIZE" => self.max_submission_batch_size = int()? as usize,
            "SUBMISSION_CACHE_DURATION" => self.submission_cache_duration = float()?,
            "USE_DOCS_AS_HOMEPAGE" => self.use_docs_as_homepage = boolean(value, false),
            "ALLOW_ENABLE_NETWORK" => self.allow_enable_network = boolean(value, false),
            "ENABLE_NETWORK" => self.enable_network = boolean(value, false),
            "AUTHN_HEADER" if !value.trim().is_empty() => self.authn_header = value.trim().into(),
            "AUTHN_TOKEN" => self.authn_token = words(value),
            "AUTHZ_HEADER" if !value.trim().is_empty() => self.authz_header = value.trim().into(),
            "AUTHZ_TOKEN" => self.authz_token = words(value),
            "ALLOW_ORIGIN" => self.allow_origin = words(value),
            "DISALLOW_ORIGIN" => self.disallow_origin = words(value),
            "ALLOW_IP" => self.allow_ip = words(value),
            "DISALLOW_IP" => self.disallow_ip = words(value),
            "JUDGEBOX_RETENTION_SECONDS" => self.retention_seconds = int()?,
            "JUDGEBOX_MAX_BODY_SIZE" => self.max_body_size = int()? as usize,
            _ => {}
        }
        if self.max_max_file_size > 1 << 22 {
            return Err(invalid("file sizes above 4 GB are not supported"));
        }
        Ok(())
    }

    /// `GET /config_info`: Judge0's keys in Judge0's order (with its "compile" spelling).
    /// The workers to run: `COUNT`, or Judge0's default of twice the CPUs. More workers
    /// than CPUs keep the CPUs busy while a worker waits on the store or a hand-off between
    /// threads (load bench, 2 CPUs, Plain Text: 2 workers 466/s, 4 workers 610/s).
    pub fn workers(&self) -> usize {
        self.count.unwrap_or_else(|| {
            2 * std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        })
    }

    pub fn info(&self) -> Value {
        json!({
            "maintenance_mode": self.maintenance_mode,
            "enable_wait_result": self.enable_wait_result,
            "enable_compiler_options": self.enable_compiler_options,
            "allowed_languages_for_compile_options": self.allowed_languages_for_compiler_options,
            "enable_command_line_arguments": self.enable_command_line_arguments,
            "enable_submission_delete": self.enable_submission_delete,
            "enable_callbacks": self.enable_callbacks,
            "callbacks_max_tries": self.callbacks_max_tries,
            "callbacks_timeout": self.callbacks_timeout,
            "enable_additional_files": self.enable_additional_files,
            "max_queue_size": self.max_queue_size,
            "cpu_time_limit": self.cpu_time_limit,
            "max_cpu_time_limit": self.max_cpu_time_limit,
            "cpu_extra_time": self.cpu_extra_time,
            "max_cpu_extra_time": self.max_cpu_extra_time,
            "wall_time_limit": self.wall_time_limit,
            "max_wall_time_limit": self.max_wall_time_limit,
            "memory_limit": self.memory_limit,
            "max_memory_limit": self.max_memory_limit,
            "stack_limit": self.stack_limit,
            "max_stack_limit": self.max_stack_limit,
            "max_processes_and_or_threads": self.max_processes_and_or_threads,
            "max_max_processes_and_or_threads": self.max_max_processes_and_or_threads,
            "enable_per_process_and_thread_time_limit": self.enable_per_process_and_thread_time_limit,
            "allow_enable_per_process_and_thread_time_limit": self.allow_enable_per_process_and_thread_time_limit,
            "enable_per_process_and_thread_memory_limit": self.enable_per_process_and_thread_memory_limit,
            "allow_enable_per_process_and_thread_memory_limit": self.allow_enable_per_process_and_thread_memory_limit,
            "max_file_size": self.max_file_size,
            "max_max_file_size": self.max_max_file_size,
            "number_of_runs": self.number_of_runs,
            "max_number_of_runs": self.max_number_of_runs,
            "redirect_stderr_to_stdout": self.redirect_stderr_to_stdout,
            "max_extract_size": self.max_extract_size,
            "enable_batched_submissions": self.enable_batched_submissions,
            "max_submission_batch_size": self.max_submission_batch_size,
            "submission_cache_duration": self.submission_cache_duration,
            "use_docs_as_homepage": self.use_docs_as_homepage,
            "allow_enable_network": self.allow_enable_network,
            "enable_network": self.enable_network,
        })
    }
}

/// Every variable [`Config::load`] reads.
pub const KNOWN: &[&str] = &[
    "MAINTENANCE_MODE",
    "MAINTENANCE_MESSAGE",
    "ENABLE_WAIT_RESULT",
    "ENABLE_COMPILER_OPTIONS",
    "ALLOWED_LANGUAGES_FOR_COMPILER_OPTIONS",
    "ENABLE_COMMAND_LINE_ARGUMENTS",
    "ENABLE_SUBMISSION_DELETE",
    "ENABLE_CALLBACKS",
    "CALLBACKS_MAX_TRIES",
    "CALLBACKS_TIMEOUT",
    "ENABLE_ADDITIONAL_FILES",
    "MAX_QUEUE_SIZE",
    "CPU_TIME_LIMIT",
    "MAX_CPU_TIME_LIMIT",
    "CPU_EXTRA_TIME",
    "MAX_CPU_EXTRA_TIME",
    "WALL_TIME_LIMIT",
    "MAX_WALL_TIME_LIMIT",
    "MEMORY_LIMIT",
    "MAX_MEMORY_LIMIT",
    "STACK_LIMIT",
    "MAX_STACK_LIMIT",
    "MAX_PROCESSES_AND_OR_THREADS",
    "MAX_MAX_PROCESSES_AND_OR_THREADS",
    "ENABLE_PER_PROCESS_AND_THREAD_TIME_LIMIT",
    "ALLOW_ENABLE_PER_PROCESS_AND_THREAD_TIME_LIMIT",
    "ENABLE_PER_PROCESS_AND_THREAD_MEMORY_LIMIT",
    "ALLOW_ENABLE_PER_PROCESS_AND_THREAD_MEMORY_LIMIT",
    "MAX_FILE_SIZE",
    "MAX_MAX_FILE_SIZE",
    "NUMBER_OF_RUNS",
    "MAX_NUMBER_OF_RUNS",
    "REDIRECT_STDERR_TO_STDOUT",
    "MAX_EXTRACT_SIZE",
    "COUNT",
    "ENABLE_BATCHED_SUBMISSIONS",
    "MAX_SUBMISSION_BATCH_SIZE",
    "SUBMISSION_CACHE_DURATION",
    "USE_DOCS_AS_HOMEPAGE",
    "ALLOW_ENABLE_NETWORK",
    "ENABLE_NETWORK",
    "AUTHN_HEADER",
    "AUTHN_TOKEN",
    "AUTHZ_HEADER",
    "AUTHZ_TOKEN",
    "ALLOW_ORIGIN",
    "DISALLOW_ORIGIN",
    "ALLOW_IP",
    "DISALLOW_IP",
    "JUDGEBOX_RETENTION_SECONDS",
    "JUDGEBOX_MAX_BODY_SIZE",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn judge0_conf_variables_keep_their_meaning() {
        let c = Config::load(
            None,
            vars(&[
                ("ENABLE_WAIT_RESULT", "no"),
                ("ENABLE_SUBMISSION_DELETE", "yes"),
                ("MAX_CPU_TIME_LIMIT", "30"),
                ("AUTHN_TOKEN", "a  b"),
                ("PATH", "/usr/bin"),
            ]),
        )
        .unwrap();
        assert!(
            c.enable_wait_result,
            "default-true flags are off only for \"false\""
        );
        assert!(
            !c.enable_submission_delete,
            "default-false flags are on only for \"true\""
        );
        assert_eq!(c.max_cpu_time_limit, 30.0);
        assert_eq!(c.authn_token, ["a", "b"]);
        let err = Config::load(None, vars(&[("MAX_QUEUE_SIZE", "lots")])).unwrap_err();
        assert!(err.to_string().contains("MAX_QUEUE_SIZE"), "{err}");
    }

    #[test]
    fn count_is_the_workers_and_defaults_to_twice_the_cpus() {
        let cpus = std::thread::available_parallelism().unwrap().get();
        assert_eq!(Config::default().workers(), 2 * cpus);
        let c = Config::load(None, [("COUNT".to_string(), "3".to_string())]).unwrap();
        assert_eq!(c.workers(), 3);
        assert!(Config::load(None, [("COUNT".to_string(), "0".to_string())]).is_err());
    }

    #[test]
    fn toml_then_environment() {
        let text =
            "max_queue_size = 7\nauthn_token = [\"x\", \"y\"]\nenable_callbacks = \"false\"\n";
        let c = Config::load(Some(("t.toml", text)), vars(&[("MAX_QUEUE_SIZE", "9")])).unwrap();
        assert_eq!(c.max_queue_size, 9);
        assert_eq!(c.authn_token, ["x", "y"]);
        assert!(!c.enable_callbacks);
        assert!(Config::load(Some(("t.toml", "colour = 1")), vars(&[])).is_err());
    }

    #[test]
    fn config_info_has_judge0s_keys_in_order() {
        let info = Config::default().info();
        let keys: Vec<&String> = info.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 39);
        assert_eq!(keys[0], "maintenance_mode");
        assert_eq!(keys[3], "allowed_languages_for_compile_options");
        assert_eq!(keys[38], "enable_network");
        assert_eq!(
            serde_json::to_string(&info["cpu_time_limit"]).unwrap(),
            "5.0"
        );
        assert_eq!(info["memory_limit"], 128000);
    }
}
