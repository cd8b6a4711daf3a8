//! A Lambda function process: the real `bootstrap` binary started against a [`RuntimeApi`] with a
//! clean, explicit environment, its output captured in memory.

use std::ffi::OsString;
use std::fmt;
use std::io;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::Command;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use crate::runtime_api::{ApiSettings, Completion, RuntimeApi};

/// Static dummy credentials; nothing accepts them but local stand-ins.
pub const DUMMY_ACCESS_KEY_ID: &str = "AKIDLOCALTESTONLY000";
/// See [`DUMMY_ACCESS_KEY_ID`].
pub const DUMMY_SECRET_ACCESS_KEY: &str = "local-test-secret-not-a-real-key";
/// A closed loopback port: the default for every endpoint override, so a forgotten one fails fast.
pub const CLOSED_ENDPOINT: &str = "http://127.0.0.1:9";

/// How to start a function.
#[derive(Debug, Clone)]
pub struct FunctionConfig {
    /// The executable (normally `$CARGO_TARGET_DIR/debug/bootstrap`).
    pub bootstrap: PathBuf,
    /// Arguments for the executable (none for a real bootstrap).
    pub args: Vec<OsString>,
    /// `AWS_LAMBDA_FUNCTION_NAME`.
    pub function_name: String,
    /// `AWS_REGION` and `AWS_DEFAULT_REGION`.
    pub region: String,
    /// Per-invocation time limit (sets the deadline header; past it `invoke` returns `Timeout`).
    pub timeout: Duration,
    /// How long the process may take to reach its first `GET /next` before `wait_ready` gives up.
    pub init_timeout: Duration,
    /// `AWS_LAMBDA_LOG_FORMAT` (`JSON` or `Text`), if any.
    pub log_format: Option<String>,
    /// `AWS_LAMBDA_LOG_LEVEL`, if any.
    pub log_level: Option<String>,
    /// Endpoint overrides as `(SERVICE, url)`, exported as `AWS_ENDPOINT_URL_<SERVICE>`. QUICKSIGHT,
    /// SNS and the global `AWS_ENDPOINT_URL` default to [`CLOSED_ENDPOINT`].
    pub endpoints: Vec<(String, String)>,
    /// Extra variables, applied last (they may override anything above).
    pub env: Vec<(String, String)>,
}

impl FunctionConfig {
    /// Defaults for `bootstrap`: function `quicksight-snapshot-result` in us-east-1, 30 s timeout.
    pub fn new(bootstrap: impl Into<PathBuf>) -> Self {
        Self {
            bootstrap: bootstrap.into(),
            args: Vec::new(),
            function_name: "quicksight-snapshot-result".to_owned(),
            region: "us-east-1".to_owned(),
            timeout: Duration::from_secs(30),
            init_timeout: Duration::from_secs(10),
            log_format: None,
            log_level: None,
            endpoints: Vec::new(),
            env: Vec::new(),
        }
    }

    /// Sets `AWS_ENDPOINT_URL_<SERVICE>` (e.g. `endpoint("QUICKSIGHT", url)`).
    #[must_use]
    pub fn endpoint(mut self, service: &str, url: impl Into<String>) -> Self {
        self.endpoints.push((service.to_ascii_uppercase(), url.into()));
        self
    }

    /// Adds an environment variable for the process.
    #[must_use]
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((name.into(), value.into()));
        self
    }

    /// Sets the per-invocation timeout.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets `AWS_LAMBDA_LOG_FORMAT`.
    #[must_use]
    pub fn log_format(mut self, format: impl Into<String>) -> Self {
        self.log_format = Some(format.into());
        self
    }

    /// Sets `AWS_LAMBDA_LOG_LEVEL`.
    #[must_use]
    pub fn log_level(mut self, level: impl Into<String>) -> Self {
        self.log_level = Some(level.into());
        self
    }

    /// The complete environment the process gets (nothing else is inherited).
    pub fn environment(&self, runtime_api: &str) -> Vec<(String, String)> {
        let mut vars: Vec<(String, String)> = Vec::new();
        let mut set = |name: &str, value: &str| {
            vars.retain(|(n, _)| n != name);
            vars.push((name.to_owned(), value.to_owned()));
        };
        set("AWS_LAMBDA_RUNTIME_API", runtime_api);
        set("AWS_LAMBDA_FUNCTION_NAME", &self.function_name);
        set("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128");
        set("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        set(
            "AWS_LAMBDA_LOG_GROUP_NAME",
            &format!("/aws/lambda/{}", self.function_name),
        );
        set("AWS_LAMBDA_LOG_STREAM_NAME", "harness/[$LATEST]local");
        if let Some(format) = &self.log_format {
            set("AWS_LAMBDA_LOG_FORMAT", format);
        }
        if let Some(level) = &self.log_level {
            set("AWS_LAMBDA_LOG_LEVEL", level);
        }
        set("AWS_REGION", &self.region);
        set("AWS_DEFAULT_REGION", &self.region);
        set("AWS_ACCESS_KEY_ID", DUMMY_ACCESS_KEY_ID);
        set("AWS_SECRET_ACCESS_KEY", DUMMY_SECRET_ACCESS_KEY);
        set("AWS_EC2_METADATA_DISABLED", "true");
        set("AWS_CONFIG_FILE", "/dev/null");
        set("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
        // Logs go to memory for reading and asserting, not to a terminal: no ANSI colour codes.
        set("NO_COLOR", "1");
        set("NO_PROXY", "127.0.0.1,localhost");
        set("no_proxy", "127.0.0.1,localhost");
        set("AWS_ENDPOINT_URL", CLOSED_ENDPOINT);
        set("AWS_ENDPOINT_URL_QUICKSIGHT", CLOSED_ENDPOINT);
        set("AWS_ENDPOINT_URL_SNS", CLOSED_ENDPOINT);
        for (service, url) in &self.endpoints {
            set(&format!("AWS_ENDPOINT_URL_{service}"), url);
        }
        let path = std::env::var("PATH").unwrap_or_else(|_| "/usr/local/bin:/usr/bin:/bin".to_owned());
        set("PATH", &path);
        for (name, value) in &self.env {
            set(name, value);
        }
        vars
    }
}

/// The outcome of one invocation, as a caller of Lambda's Invoke API would see it.
#[derive(Debug, Clone, PartialEq)]
pub enum Invocation {
    /// The handler returned this JSON.
    Response(Value),
    /// The handler returned an error (`{"errorType","errorMessage"}`).
    Error {
        /// `errorType`.
        error_type: String,
        /// `errorMessage`.
        error_message: String,
    },
    /// The runtime posted to `/init/error` and did not serve the invocation.
    InitError {
        /// `errorType`.
        error_type: String,
        /// `errorMessage`.
        error_message: String,
        /// Everything the process wrote so far.
        logs: String,
    },
    /// The process exited (or could not be run) before answering.
    Crashed {
        /// The exit code, if the process exited normally.
        exit_code: Option<i32>,
        /// Everything the process wrote.
        logs: String,
    },
    /// No answer within the function timeout. The process is left running, as Lambda's runtime would
    /// be until it is recycled; shut the function down to stop it.
    Timeout {
        /// The timeout that passed.
        after: Duration,
    },
}

impl Invocation {
    /// The response JSON, if the handler succeeded.
    pub fn response(&self) -> Option<&Value> {
        match self {
            Self::Response(value) => Some(value),
            _ => None,
        }
    }
}

/// One invocation with its timing.
#[derive(Debug, Clone, PartialEq)]
pub struct InvokeReport {
    /// The Lambda request id the event was handed out with.
    pub request_id: String,
    /// The outcome.
    pub invocation: Invocation,
    /// From the event being handed out (`GET /next`) to the result arriving; `None` if it never did.
    pub duration: Option<Duration>,
}

/// Which stream a log line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// One captured line, without its trailing newline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// The stream.
    pub stream: Stream,
    /// The text (invalid UTF-8 replaced).
    pub text: String,
}

/// Timings and resource use, for benchmarks.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionStats {
    /// From spawning the process to its first `GET /next`.
    pub init_duration: Option<Duration>,
    /// One entry per completed invocation (handed out to answered), in completion order.
    pub invocation_durations: Vec<Duration>,
    /// Peak resident set size (VmHWM) in KiB, read just before shutdown (or now, if still running).
    pub peak_rss_kib: Option<u64>,
}

/// What a finished function leaves behind.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished {
    /// Timings and peak memory.
    pub stats: FunctionStats,
    /// The exit status; a killed process has no code.
    pub exit_status: Option<ExitStatus>,
    /// Everything the process wrote.
    pub logs: Vec<LogLine>,
}

type SharedLogs = Arc<Mutex<Vec<LogLine>>>;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A running function process plus its Runtime API. Dropping it kills the process.
pub struct Function {
    api: RuntimeApi,
    config: FunctionConfig,
    pid: Option<u32>,
    spawned_at: Instant,
    logs: SharedLogs,
    exit: watch::Receiver<Option<ExitStatus>>,
    kill: Mutex<Option<oneshot::Sender<()>>>,
    supervisor: Mutex<Option<JoinHandle<()>>>,
    durations: Mutex<Vec<Duration>>,
    peak_rss_kib: Mutex<Option<u64>>,
}

impl fmt::Debug for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Function")
            .field("bootstrap", &self.config.bootstrap)
            .field("pid", &self.pid)
            .field("api", &self.api)
            .finish_non_exhaustive()
    }
}

impl Function {
    /// Starts a Runtime API, then spawns the process against it. Does not wait for init; see
    /// [`Function::wait_ready`].
    pub async fn start(config: FunctionConfig) -> io::Result<Self> {
        let api = RuntimeApi::start(ApiSettings::for_function(&config.function_name, &config.region)).await?;
        let mut command = Command::new(&config.bootstrap);
        command
            .args(&config.args)
            .env_clear()
            .envs(config.environment(&api.runtime_api_value()))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let spawned_at = Instant::now();
        let mut child = command
            .spawn()
            .map_err(|e| io::Error::new(e.kind(), format!("cannot start {}: {e}", config.bootstrap.display())))?;
        let pid = child.id();
        let logs: SharedLogs = Arc::new(Mutex::new(Vec::new()));
        let readers = [
            child
                .stdout
                .take()
                .map(|out| capture(out, Stream::Stdout, Arc::clone(&logs))),
            child
                .stderr
                .take()
                .map(|err| capture(err, Stream::Stderr, Arc::clone(&logs))),
        ];
        let (exit_tx, exit) = watch::channel(None);
        let (kill_tx, kill_rx) = oneshot::channel::<()>();
        let supervisor = tokio::spawn(async move {
            let status = tokio::select! {
                status = child.wait() => status,
                // Either an explicit kill or the Function being dropped.
                _ = kill_rx => {
                    let _ = child.start_kill();
                    child.wait().await
                }
            };
            // Let the readers drain what the process wrote before it died, but do not hang on a
            // grandchild that inherited the pipes.
            for reader in readers.into_iter().flatten() {
                let _ = tokio::time::timeout(Duration::from_secs(2), reader).await;
            }
            exit_tx.send_replace(Some(status.unwrap_or_else(|_| failed_status())));
        });
        Ok(Self {
            api,
            config,
            pid,
            spawned_at,
            logs,
            exit,
            kill: Mutex::new(Some(kill_tx)),
            supervisor: Mutex::new(Some(supervisor)),
            durations: Mutex::new(Vec::new()),
            peak_rss_kib: Mutex::new(None),
        })
    }

    /// The Runtime API this function talks to.
    pub fn api(&self) -> &RuntimeApi {
        &self.api
    }

    /// The configuration it was started with.
    pub fn config(&self) -> &FunctionConfig {
        &self.config
    }

    /// The process id, if the process started.
    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// The exit status, once the process has exited.
    pub fn exit_status(&self) -> Option<ExitStatus> {
        *self.exit.borrow()
    }

    /// Waits until the process first polls `GET /next` (init done) and returns the init duration.
    /// If it exits, posts an init error or takes longer than `init_timeout`, returns that outcome.
    pub async fn wait_ready(&self) -> Result<Duration, Invocation> {
        let mut exit = self.exit.clone();
        let mut init_error = self.api.watch_init_error();
        tokio::select! {
            biased;
            at = self.api.wait_for_first_poll(self.config.init_timeout) => match at {
                Some(at) => Ok(at.saturating_duration_since(self.spawned_at)),
                None => Err(Invocation::Timeout { after: self.config.init_timeout }),
            },
            _ = init_error.wait_for(Option::is_some) => Err(self.failure()),
            _ = exit.wait_for(Option::is_some) => Err(self.failure()),
        }
    }

    /// Time from spawn to the first `GET /next`, once it happened.
    pub fn init_duration(&self) -> Option<Duration> {
        self.api
            .first_poll_at()
            .map(|at| at.saturating_duration_since(self.spawned_at))
    }

    /// Invokes the function with `event` and waits for the outcome.
    pub async fn invoke(&self, event: Value) -> Invocation {
        self.invoke_report(event).await.invocation
    }

    /// Like [`Function::invoke`], with the request id and the measured duration.
    pub async fn invoke_report(&self, event: Value) -> InvokeReport {
        let timeout = self.config.timeout;
        if self.exit_status().is_some() {
            return InvokeReport {
                request_id: String::new(),
                invocation: self.failure(),
                duration: None,
            };
        }
        let submitted = self.api.submit(&event, timeout);
        let request_id = submitted.request_id.clone();
        let mut exit = self.exit.clone();
        let mut init_error = self.api.watch_init_error();
        let finished = tokio::select! {
            biased;
            completed = submitted.completed() => completed,
            _ = init_error.wait_for(Option::is_some) => None,
            _ = exit.wait_for(Option::is_some) => None,
            _ = tokio::time::sleep(timeout) => {
                return InvokeReport { request_id, invocation: Invocation::Timeout { after: timeout }, duration: None };
            }
        };
        let Some(completed) = finished else {
            return InvokeReport {
                request_id,
                invocation: self.failure(),
                duration: None,
            };
        };
        lock(&self.durations).push(completed.duration);
        let invocation = match completed.completion {
            Completion::Response(value) => Invocation::Response(value),
            Completion::Error {
                error_type,
                error_message,
                ..
            } => Invocation::Error {
                error_type,
                error_message,
            },
        };
        InvokeReport {
            request_id,
            invocation,
            duration: Some(completed.duration),
        }
    }

    fn failure(&self) -> Invocation {
        match self.api.init_error() {
            Some(diagnostic) => Invocation::InitError {
                error_type: diagnostic.error_type,
                error_message: diagnostic.error_message,
                logs: self.logs(),
            },
            None => Invocation::Crashed {
                exit_code: self.exit_status().and_then(|s| s.code()),
                logs: self.logs(),
            },
        }
    }

    /// All captured lines so far, stdout and stderr interleaved in arrival order.
    pub fn log_lines(&self) -> Vec<LogLine> {
        lock(&self.logs).clone()
    }

    /// All captured output so far, one line per line.
    pub fn logs(&self) -> String {
        join(lock(&self.logs).iter())
    }

    /// Captured standard output only.
    pub fn stdout(&self) -> String {
        join(lock(&self.logs).iter().filter(|l| l.stream == Stream::Stdout))
    }

    /// Captured standard error only.
    pub fn stderr(&self) -> String {
        join(lock(&self.logs).iter().filter(|l| l.stream == Stream::Stderr))
    }

    /// Peak resident set size (VmHWM, KiB) of the live process, or the value read at shutdown.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        let live = if self.exit_status().is_none() {
            self.pid.and_then(read_vm_hwm_kib)
        } else {
            None
        };
        if live.is_some() {
            *lock(&self.peak_rss_kib) = live;
        }
        live.or(*lock(&self.peak_rss_kib))
    }

    /// Timings and peak memory so far.
    pub fn stats(&self) -> FunctionStats {
        FunctionStats {
            init_duration: self.init_duration(),
            invocation_durations: lock(&self.durations).clone(),
            peak_rss_kib: self.peak_rss_kib(),
        }
    }

    /// Reads the peak RSS, kills the process, stops the Runtime API and returns what was recorded.
    pub async fn shutdown(self) -> Finished {
        let stats = self.stats();
        if let Some(kill) = lock(&self.kill).take() {
            let _ = kill.send(());
        }
        // Ending the long-polls first lets any helper process still holding the output pipes finish.
        self.api.shutdown();
        let supervisor = lock(&self.supervisor).take();
        if let Some(supervisor) = supervisor {
            let _ = supervisor.await;
        }
        Finished {
            stats,
            exit_status: self.exit_status(),
            logs: self.log_lines(),
        }
    }
}

fn join<'a>(lines: impl Iterator<Item = &'a LogLine>) -> String {
    lines.map(|l| l.text.as_str()).collect::<Vec<_>>().join("\n")
}

fn capture(stream: impl AsyncRead + Unpin + Send + 'static, kind: Stream, logs: SharedLogs) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut reader = BufReader::new(stream);
        let mut buffer = Vec::new();
        loop {
            buffer.clear();
            match reader.read_until(b'\n', &mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let text = String::from_utf8_lossy(&buffer);
                    let text = text.trim_end_matches(['\n', '\r']).to_owned();
                    lock(&logs).push(LogLine { stream: kind, text });
                }
            }
        }
    })
}

/// Parses `VmHWM:   12345 kB` from `/proc/<pid>/status`.
pub fn read_vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    parse_vm_hwm_kib(&status)
}

fn parse_vm_hwm_kib(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

#[cfg(unix)]
fn failed_status() -> ExitStatus {
    use std::os::unix::process::ExitStatusExt;
    // `wait` itself failed; report it as the conventional "killed" status.
    ExitStatus::from_raw(9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vm_hwm_is_read_in_kib() {
        let status = "Name:\tbootstrap\nVmPeak:\t  20000 kB\nVmHWM:\t    6789 kB\nVmRSS:\t    6000 kB\n";
        assert_eq!(parse_vm_hwm_kib(status), Some(6789));
        assert_eq!(parse_vm_hwm_kib("Name:\tx\n"), None);
    }

    #[test]
    fn environment_is_explicit_loopback_only_and_overridable() {
        let config = FunctionConfig::new("/bin/true")
            .endpoint("quicksight", "http://127.0.0.1:4000")
            .log_format("JSON")
            .env("SNS_TOPIC_ARN", "arn:aws:sns:us-east-1:000000000000:t")
            .env("AWS_REGION", "eu-west-1");
        let env: std::collections::BTreeMap<_, _> = config.environment("127.0.0.1:5555").into_iter().collect();
        let get = |name: &str| env.get(name).map(String::as_str);
        assert_eq!(get("AWS_LAMBDA_RUNTIME_API"), Some("127.0.0.1:5555"));
        assert_eq!(get("AWS_LAMBDA_FUNCTION_NAME"), Some("quicksight-snapshot-result"));
        assert_eq!(get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), Some("128"));
        assert_eq!(get("AWS_LAMBDA_FUNCTION_VERSION"), Some("$LATEST"));
        assert_eq!(get("AWS_LAMBDA_LOG_FORMAT"), Some("JSON"));
        assert_eq!(get("AWS_LAMBDA_LOG_LEVEL"), None);
        assert_eq!(get("AWS_REGION"), Some("eu-west-1"));
        assert_eq!(get("AWS_DEFAULT_REGION"), Some("us-east-1"));
        assert_eq!(get("AWS_ACCESS_KEY_ID"), Some(DUMMY_ACCESS_KEY_ID));
        assert_eq!(get("AWS_SECRET_ACCESS_KEY"), Some(DUMMY_SECRET_ACCESS_KEY));
        assert_eq!(get("AWS_EC2_METADATA_DISABLED"), Some("true"));
        assert_eq!(get("NO_PROXY"), Some("127.0.0.1,localhost"));
        assert_eq!(get("NO_COLOR"), Some("1"));
        assert_eq!(get("AWS_ENDPOINT_URL_QUICKSIGHT"), Some("http://127.0.0.1:4000"));
        assert_eq!(get("AWS_ENDPOINT_URL_SNS"), Some(CLOSED_ENDPOINT));
        assert_eq!(get("AWS_ENDPOINT_URL"), Some(CLOSED_ENDPOINT));
        assert_eq!(get("SNS_TOPIC_ARN"), Some("arn:aws:sns:us-east-1:000000000000:t"));
        assert!(get("PATH").is_some());
        assert_eq!(get("HOME"), None);
        assert_eq!(get("CARGO_TARGET_DIR"), None);
    }
}
