//! The three QuickSight operations the emulator serves.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Operation {
    StartDashboardSnapshotJob,
    DescribeDashboardSnapshotJob,
    DescribeDashboardSnapshotJobResult,
}

impl Operation {
    pub fn name(self) -> &'static str {
        match self {
            Self::StartDashboardSnapshotJob => "StartDashboardSnapshotJob",
            Self::DescribeDashboardSnapshotJob => "DescribeDashboardSnapshotJob",
            Self::DescribeDashboardSnapshotJobResult => "DescribeDashboardSnapshotJobResult",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
