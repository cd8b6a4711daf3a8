#!/usr/bin/env bash
# `make bench`: release build, deployment zips, then the benchmark driver (harness/src/bin/bench.rs)
# runs the release bootstrap and the Python boto3 peer (bench/python_peer, run by awslambdaric) on the
# loopback Runtime API against the in-process QuickSight emulator. Prints a table and writes
# bench/results.json. Not part of `make test`. Everything stays on 127.0.0.1.
#
#   scripts/bench.sh [--cold N] [--warm N]     (defaults 25 and 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/local-env.sh

# The peer's Python environment: boto3 and the Lambda runtime interface client.
stamp=.venv-bench/.requirements.sha
want=$(sha256sum bench/python_peer/requirements.txt | cut -d' ' -f1)
if [[ ! -x .venv-bench/bin/python || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  python3 -m venv .venv-bench
  .venv-bench/bin/pip install --quiet --disable-pip-version-check -r bench/python_peer/requirements.txt
  echo "$want" > "$stamp"
fi
python=.venv-bench/bin/python

# The release build exactly as deployed (root [profile.release]); --workspace so that the features are
# the same as every other build and nothing is recompiled needlessly; the driver is a release build too.
started=$(date +%s.%N)
cargo build --release --workspace --bins
build_seconds=$(python3 -c "import time; print(round(time.time() - $started, 1))")
release="$CARGO_TARGET_DIR/release"

out="$CARGO_TARGET_DIR/bench"
packages=$("$python" bench/package.py "$release/bootstrap" bench/python_peer "$out")

# Tool versions and build cost go into the results beside the measurements.
facts="$out/facts.json"
"$python" - "$facts" "$build_seconds" "$packages" <<'PY'
import json, subprocess, sys
from importlib import metadata
from pathlib import Path
path, build_seconds, packages = sys.argv[1], float(sys.argv[2]), sys.argv[3].split()
run = lambda *cmd: subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
facts = {
    "rustc": run("rustc", "-V"),
    "cargo": run("cargo", "-V"),
    "python": sys.version.split()[0],
    "boto3": metadata.version("boto3"),
    "botocore": metadata.version("botocore"),
    "awslambdaric": metadata.version("awslambdaric"),
    "peer_bundle_packages": packages,
    "release_build_seconds_this_run": build_seconds,
}
cost = Path("bench/build-cost.json")
if cost.exists():
    facts["build_cost"] = json.loads(cost.read_text())
Path(path).write_text(json.dumps(facts, indent=2))
PY

"$release/bench" \
  --bootstrap "$release/bootstrap" \
  --python "$python" \
  --peer-dir bench/python_peer \
  --ours-zip "$out/bootstrap.zip" \
  --peer-zip "$out/peer-handler.zip" \
  --peer-bundle-zip "$out/peer-bundle.zip" \
  --facts "$facts" \
  --out bench/results.json \
  "$@"
