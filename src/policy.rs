//! `failOn`: turns chosen outcomes into errors, so a state machine can use Retry/Catch instead of a
//! Choice state. The output is otherwise returned unchanged.

use crate::error::Error;
use crate::output::{Outcome, Output};

pub fn apply(output: Output, fail_on: &[Outcome]) -> Result<Output, Error> {
    if !fail_on.contains(&output.outcome) {
        return Ok(output);
    }
    let codes: Vec<&str> = output.errors.iter().map(|e| e.code.as_str()).collect();
    let mut message = format!("{}: {}", output.job.arn, output.summary);
    if !codes.is_empty() && output.outcome != Outcome::Failed {
        message.push_str(&format!(" (error codes: {})", codes.join(", ")));
    }
    Err(match output.outcome {
        Outcome::Pending => Error::SnapshotJobNotTerminal(message),
        Outcome::Failed => Error::SnapshotJobFailed(message),
        Outcome::Partial => Error::SnapshotJobPartiallyFailed(message),
        Outcome::Succeeded => return Ok(output),
    })
}
