#!/usr/bin/env bash
# `make test`: set up .venv with test extras, make sure RabbitMQ (with its
# management API) and PostgreSQL are up, then run the tests. Args go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/bootstrap.sh --test
deploy/ensure-broker.sh --management
deploy/ensure-postgres.sh
deploy/ensure-test-tools.sh
.venv/bin/ruff check .
.venv/bin/lint-imports
# The whole suite runs in a few pytest processes at once (tests/parallel.py); named tests or
# other pytest options run in one, as pytest runs them.
if (($#)); then
    exec .venv/bin/python -m pytest "$@"
fi
exec .venv/bin/python -m tests.parallel
