#!/usr/bin/env bash
# Fuzz the running Yingji API with schemathesis, from its own OpenAPI document.
#
# Usage:
#   scripts/schemathesis_run.sh [BASE_URL] [TOKEN]
#     BASE_URL  the server, e.g. http://127.0.0.1:8765   (default: $YINGJI_API_URL, else http://127.0.0.1:8000)
#     TOKEN     an API token "yj_…" of the user to test as (default: $YINGJI_API_TOKEN; required)
#               e.g. TOKEN=$(yingji create-token admin schemathesis --raw)
#
# Environment (all optional):
#   SCHEMATHESIS_MAX_EXAMPLES  test cases per operation and phase (default 30)
#   SCHEMATHESIS_CHECKS        comma-separated checks (default: all)
#   SCHEMATHESIS_EXCLUDE_CHECKS  checks left out (default: positive_data_acceptance; see below)
#   SCHEMATHESIS_SEED          random seed (default 2026, so a failure can be replayed)
#   SCHEMATHESIS_WORKERS       concurrent workers (default 1)
#   SCHEMATHESIS_REPORT_DIR    where the JUnit report and the generated schemathesis.toml go (default: a temporary
#                              directory)
#   SCHEMATHESIS_BIN           the schemathesis executable (default: .venv/bin/schemathesis, else from PATH)
#   SCHEMATHESIS_OPERATIONS    regular expression over operation ids to test (default: all operations)
#
# It runs `schemathesis run BASE_URL/api/openapi.json` with "Authorization: Bearer TOKEN", bounded by
# --max-examples, and exits non-zero when any check fails: no 5xx response (not_a_server_error), every status,
# content type, header and body as documented (…_conformance), bad input rejected with 4xx
# (negative_data_rejection), unsupported methods answered 405, authentication not ignored, deleted records gone
# and created ones found (use_after_free, ensure_resource_availability).
#
# It CHANGES DATA: it creates, updates and deletes regions, organisations, tokens, report cards, zero reports,
# event reports, detection configurations … as the token's user.
# Run it only against a throwaway database (CI runs it on the demo city in a throwaway PostgreSQL database).
# Revoking tokens is left out, so that the run does not revoke its own token halfway through.
set -euo pipefail

cd "$(dirname "$0")/.."

BASE_URL="${1:-${YINGJI_API_URL:-http://127.0.0.1:8000}}"
BASE_URL="${BASE_URL%/}"
TOKEN="${2:-${YINGJI_API_TOKEN:-}}"
if [ -z "$TOKEN" ]; then
  echo "usage: $0 BASE_URL TOKEN   (or set YINGJI_API_URL and YINGJI_API_TOKEN)" >&2
  echo "       create a token with: yingji create-token <username> schemathesis --raw" >&2
  exit 2
fi

BIN="${SCHEMATHESIS_BIN:-}"
if [ -z "$BIN" ]; then
  if [ -x .venv/bin/schemathesis ]; then BIN=.venv/bin/schemathesis; else BIN=$(command -v schemathesis || true); fi
fi
if [ -z "$BIN" ]; then
  echo "schemathesis is not installed (pip install -e '.[dev]')" >&2
  exit 2
fi

# Every check but positive_data_acceptance: a schema-valid body may still name a region or parent that does not
# exist, or a time in the past, which the service layer rightly refuses with 422.
CHECKS="${SCHEMATHESIS_CHECKS:-all}"
EXCLUDE_CHECKS="${SCHEMATHESIS_EXCLUDE_CHECKS:-positive_data_acceptance}"
MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-30}"
SEED="${SCHEMATHESIS_SEED:-2026}"
WORKERS="${SCHEMATHESIS_WORKERS:-1}"
REPORT_DIR="${SCHEMATHESIS_REPORT_DIR:-$(mktemp -d)}"
mkdir -p "$REPORT_DIR"

# Bad input counts as rejected when answered with schemathesis's default statuses or with 413 (body too large) or
# 414 (request line too long: gunicorn answers it before Django, as every operation documents). Without this, a
# negative test that happens to build a URL over 4094 bytes would be reported as "invalid data accepted".
CONFIG="$REPORT_DIR/schemathesis.toml"
cat > "$CONFIG" <<'TOML'
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "414", "415", "422", "428", "429", "5xx"]
TOML

# The token must work before fuzzing starts; otherwise every request would be a (documented) 401 and prove nothing.
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE_URL/api/v1/me" || true)
if [ "$status" != "200" ]; then
  echo "GET $BASE_URL/api/v1/me with the token answered $status, not 200: is the server up and the token valid?" >&2
  exit 2
fi

echo "schemathesis: $BASE_URL/api/openapi.json, checks $CHECKS, max examples $MAX_EXAMPLES, seed $SEED"
set +e
"$BIN" --config-file "$CONFIG" run "$BASE_URL/api/openapi.json" \
  --url "$BASE_URL" \
  --header "Authorization: Bearer $TOKEN" \
  --checks "$CHECKS" \
  ${EXCLUDE_CHECKS:+--exclude-checks "$EXCLUDE_CHECKS"} \
  --max-examples "$MAX_EXAMPLES" \
  --seed "$SEED" \
  --workers "$WORKERS" \
  --exclude-operation-id core_revoke_token \
  ${SCHEMATHESIS_OPERATIONS:+--include-operation-id-regex "$SCHEMATHESIS_OPERATIONS"} \
  --suppress-health-check all \
  --request-timeout 30 \
  --generation-database none \
  --report junit --report-dir "$REPORT_DIR" \
  --no-color
result=$?
set -e
echo "schemathesis exit code $result (JUnit report in $REPORT_DIR)"
exit $result
