#!/usr/bin/env bash
# Installs the project's test tools into the clone: ./.venv (Python) and ./node_modules (Node).
# Idempotent and quick when nothing changed; never relies on tools already on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp_py=.venv/.requirements.sha
want_py=$(sha256sum requirements-dev.txt | cut -d' ' -f1)
if [[ ! -x .venv/bin/python || "$(cat "$stamp_py" 2>/dev/null)" != "$want_py" ]]; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
  echo "$want_py" > "$stamp_py"
fi

stamp_js=node_modules/.package.sha
want_js=$(sha256sum package.json | cut -d' ' -f1)
if [[ ! -d node_modules || "$(cat "$stamp_js" 2>/dev/null)" != "$want_js" ]]; then
  npm install --silent --no-audit --no-fund
  echo "$want_js" > "$stamp_js"
fi
