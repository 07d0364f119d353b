# The two set-up commands: `make run` and `make test` (see deploy/*.sh).
# `make run REPLICAS=2` starts two replicas of each service.
.PHONY: run test lint

run:
	deploy/run.sh $(if $(REPLICAS),--replicas $(REPLICAS))

test:
	deploy/test.sh

lint:
	.venv/bin/ruff check .
