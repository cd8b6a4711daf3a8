//! Runs the real `bootstrap` binary on this machine, with no AWS: a loopback Lambda Runtime API
//! ([`RuntimeApi`]), a process handle that starts the binary with a clean environment and captures its
//! logs ([`Function`]), a loopback-only HTTP client ([`http::LoopbackClient`]), and the QuickSight
//! client and realistic snapshot job the demo, the benchmark and the tests start ([`quicksight`]).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use harness::{Function, FunctionConfig, Invocation};
//! let config = FunctionConfig::new("target/debug/bootstrap").endpoint("QUICKSIGHT", "http://127.0.0.1:4000");
//! let function = Function::start(config).await?;
//! let outcome = function.invoke(serde_json::json!({"awsAccountId": "111122223333"})).await;
//! if let Invocation::Response(output) = outcome {
//!     println!("{output:#}");
//! }
//! let finished = function.shutdown().await;
//! println!("peak RSS {:?} KiB", finished.stats.peak_rss_kib);
//! # Ok(())
//! # }
//! ```

pub mod function;
pub mod http;
pub mod quicksight;
pub mod runtime_api;

pub use function::{Finished, Function, FunctionConfig, FunctionStats, Invocation, InvokeReport, LogLine, Stream};
pub use runtime_api::{ApiSettings, Completed, Completion, Diagnostic, RuntimeApi, Submitted};
