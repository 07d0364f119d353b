#!/usr/bin/env bash
# `make run`: set up .venv, make sure RabbitMQ is up, then start every service
# and the gateway (http://127.0.0.1:8000) in the foreground. Args go to deploy.run.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/bootstrap.sh
deploy/ensure-broker.sh --management  # the run command lists queues through it
exec .venv/bin/python -m deploy.run "$@"
