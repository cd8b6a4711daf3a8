# The command index. Every recipe runs with loopback-only AWS settings (scripts/local-env.sh).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
ENV := source scripts/local-env.sh &&

.PHONY: help tools demo test lint unit-test py-test template-lint deny bench build

help:
	@echo "make demo    - run the main job end to end on this machine (local QuickSight emulator, no AWS)"
	@echo "make test    - the whole test suite (what .ci/run runs)"
	@echo "make bench   - benchmarks (release build; prints a table, writes bench/results.json)"

tools:
	scripts/tools.sh

build:
	$(ENV) cargo build --workspace --bins

# `build` compiles every workspace binary (bootstrap and the harness's demo) in one --workspace build,
# so the demo runs the prebuilt binary instead of a per-package `cargo run` that would rebuild the SDK.
demo: build
	$(ENV) "$$CARGO_TARGET_DIR/debug/demo" --bootstrap "$$CARGO_TARGET_DIR/debug/bootstrap"

lint:
	$(ENV) cargo fmt --all --check
	$(ENV) cargo clippy --workspace --all-targets -- -D warnings

unit-test: tools
	$(ENV) PATH="$$PWD/.venv/bin:$$PATH" cargo test --workspace

py-test: tools build
	$(ENV) .venv/bin/pytest -q tests/py

template-lint: tools
	.venv/bin/cfn-lint template.yaml
	npx --no-install asl-validator --json-path statemachine/snapshot.asl.json

deny: tools
	$(ENV) scripts/deny.sh

test: tools lint unit-test py-test template-lint deny

bench:
	$(ENV) scripts/bench.sh
