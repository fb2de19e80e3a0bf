#!/usr/bin/env bash
# Runs the whole test suite. The tests start their own throwaway PostgreSQL (scripts/postgres.sh, which
# installs PostgreSQL with apt when the machine lacks it) unless TRACKING_TEST_POSTGRES names one.
# Ends with one line: "N passed, N failed". Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! command -v dotnet >/dev/null; then
  echo "The .NET 10 SDK is required (dotnet was not found on PATH)." >&2
  echo "0 passed, 1 failed"; exit 1
fi
# Fail early, and install once, rather than inside a test: PostgreSQL, Node.js (the build bundles the
# dashboard) and Chromium (the dashboard's tests drive it).
bash scripts/postgres.sh check >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
bash scripts/install.sh node || { echo "0 passed, 1 failed"; exit 1; }
TRACKING_CHROMIUM=$(bash scripts/install.sh chromium | tail -n 1) || { echo "0 passed, 1 failed"; exit 1; }
export TRACKING_CHROMIUM
# Screenshots and other files the tests leave for a person to look at.
export TRACKING_TEST_ARTIFACTS=${TRACKING_TEST_ARTIFACTS:-$PWD/TestResults/artifacts}

results=$(mktemp -d)
dotnet test Tracking.sln -c Release --logger "trx;LogFileName=tests.trx" --logger "console;verbosity=normal" \
  --results-directory "$results" "$@"
status=$?

passed=0; failed=0
if [ -f "$results/tests.trx" ]; then
  counters=$(grep -o '<Counters [^>]*>' "$results/tests.trx")
  passed=$(echo "$counters" | sed -E 's/.* passed="([0-9]+)".*/\1/')
  failed=$(echo "$counters" | sed -E 's/.* failed="([0-9]+)".*/\1/')
fi
# A build failure leaves no results: count it as a failure.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "Screenshots of the dashboard: $TRACKING_TEST_ARTIFACTS"
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
