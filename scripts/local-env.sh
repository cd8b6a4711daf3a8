# Sourced by every local script and by the Makefile's recipes: keeps all AWS traffic on loopback.
# Dummy static credentials, a fixed region, no EC2 metadata probing, no proxy for loopback.
export AWS_REGION="${AWS_REGION:-us-east-1}"
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-$AWS_REGION}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-AKIDLOCALTESTONLY000}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-local-test-secret-not-a-real-key}"
export AWS_EC2_METADATA_DISABLED=true
export NO_PROXY="127.0.0.1,localhost"
export no_proxy="$NO_PROXY"
# Default endpoints point to closed loopback ports, so a forgotten override can never leave the machine.
export AWS_ENDPOINT_URL_QUICKSIGHT="${AWS_ENDPOINT_URL_QUICKSIGHT:-http://127.0.0.1:9}"
export AWS_ENDPOINT_URL_SNS="${AWS_ENDPOINT_URL_SNS:-http://127.0.0.1:9}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/quicksight-snapshot-result/target}"
