#!/usr/bin/env bash
# Runs the whole ecoute test suite, installing what the tests need when it is missing:
#   - PostgreSQL is started if it is down, and the PostgreSQL tests are enabled (they fail,
#     never skip, if it is unreachable);
#   - Debian's chromium and nginx, and the npm packages of the browser tests, are installed.
# Usage: scripts/test.sh        (CI runs exactly this through .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

# --- Services -----------------------------------------------------------------------------
export ECOUTE_TEST_POSTGRES_URL="${ECOUTE_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  step "starting PostgreSQL"
  if [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
# With ECOUTE_TEST_POSTGRES_URL set, the PostgreSQL tests fail (never skip) if it is down.

# --- Tools the tests need: Debian's chromium (browser tests), nginx (load-balancer test) -------
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]} (Debian packages)"
  # Another install (a second test run, unattended upgrades) may hold dpkg's lock: wait for it.
  apt-get -o DPkg::Lock::Timeout=900 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq "${missing[@]}" >/dev/null
fi
export ECOUTE_TEST_NGINX=1
if [ ! -x tests/browser/node_modules/.bin/tsc ] || [ ! -d tests/browser/node_modules/playwright-core ]; then
  step "installing the browser tests' npm packages"
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi

# --- Rust -----------------------------------------------------------------------------------
step "formatting and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "unit and integration tests (SQLite and PostgreSQL)"
cargo test --workspace

# --- Browser --------------------------------------------------------------------------------
step "browser scripts against the protocol's types (tsc --checkJs)"
tests/browser/node_modules/.bin/tsc --noEmit -p crates/ecoute-web/static/tsconfig.json

step "browser tests (Playwright, headless Chromium)"
cargo build --quiet -p ecoute
node --test --test-reporter=tap --test-concurrency=1 tests/browser/
