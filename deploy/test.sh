#!/usr/bin/env bash
# `make test`: set up .venv with test extras, make sure RabbitMQ (with its
# management API) and PostgreSQL are up, then run pytest. Args go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/bootstrap.sh --test
deploy/ensure-broker.sh --management
deploy/ensure-postgres.sh
deploy/ensure-test-tools.sh
.venv/bin/ruff check .
.venv/bin/lint-imports
exec .venv/bin/python -m pytest "$@"
