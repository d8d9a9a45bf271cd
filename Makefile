# Household energy-saving advisor — every task of the project. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.SHELLFLAGS := -eu -o pipefail -c

UV_VERSION := 0.13.9
UV := .tools/bin/uv
PY := .venv/bin/python
FLASK := .venv/bin/flask --app backend
ANOMALY_MODEL := var/models/anomaly.skops
export VAR_DIR ?= $(CURDIR)/var
export UV_LINK_MODE ?= copy

.PHONY: help setup run run-prod-local test test-backend test-postgres test-bot test-scale lint format \
        db nlu train bot-train bot-eval ml-eval bench bench-bills bench-api bench-bot bench-ml bench-notify \
        bench-load clean

help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet
	touch $@

bot/.venv/.synced: bot/requirements.txt | $(UV)
	[ -x bot/.venv/bin/python ] || $(UV) venv --quiet --python "$$(scripts/find-python310.sh)" bot/.venv
	$(UV) pip install --quiet --python bot/.venv/bin/python -r bot/requirements.txt
	touch $@

setup: .venv/.synced bot/.venv/.synced ## Create or update both environments (app: .venv, bot: bot/.venv)

db: .venv/.synced ## Migrate the database, load the demo data (households, staff console), train (if missing or stale) and run the anomaly model
	mkdir -p var/models
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) staff seed-demo
	# (re)train when the model is missing or older than the code that reads it
	if [ ! -f $(ANOMALY_MODEL) ] || [ -n "$$(find ml -name '*.py' -newer $(ANOMALY_MODEL))" ]; then \
	  $(FLASK) ml train --model $(ANOMALY_MODEL); fi
	$(FLASK) ml score-all --model $(ANOMALY_MODEL)

nlu: bot/.venv/.synced ## Regenerate bot/data/nlu/*.yml from bot/nlu_source/sources.py (then commit both)
	bot/.venv/bin/python bot/scripts/generate_nlu.py

bot-train: bot/.venv/.synced ## Train the Rasa model when bot data or config changed
	bash bot/scripts/train.sh

train: bot-train db ## Train what is missing or out of date (Rasa model; anomaly model on the households' readings)

run: setup bot-train db ## Start backend :5000, Rasa :5005 and actions :5055; Ctrl-C stops all
	$(PY) scripts/run_stack.py

run-prod-local: setup bot-train ## Production shape on loopback: PostgreSQL, Redis, 2 Rasa, actions, gunicorn, 2 workers
	$(PY) scripts/prod_local.py

test: setup test-backend test-postgres test-bot test-scale ## Run every test (what CI runs)

test-backend: .venv/.synced ## pytest for backend, ml and notifications (SQLite)
	$(PY) -m pytest -q

PG_TESTS := tests/backend tests/notifications
test-postgres: .venv/.synced ## Backend tests on PostgreSQL (TEST_DATABASE_URL, or a throwaway local cluster)
	if [ -n "$${TEST_DATABASE_URL:-}" ]; then $(PY) -m pytest -q $(PG_TESTS); \
	else scripts/with-postgres.sh $(PY) -m pytest -q $(PG_TESTS); fi

test-bot: bot/.venv/.synced ## Bot: data validation, action and channel tests, test stories
	bash bot/scripts/test.sh

bot-eval: bot-train ## Intent accuracy on the held-out NLU file, overall and per writing style
	bash bot/scripts/eval.sh

ml-eval: .venv/.synced ## Consumption model vs the 30% rule on simulated households
	$(PY) -m ml evaluate --write ml/EVALUATION.md

test-scale: setup bot-train ## Prod-local stack: two Rasa servers, faults, security, load (locust); ~10 min
	$(PY) -m pytest -q -o addopts="-ra --strict-markers" tests/scale

lint: .venv/.synced ## ruff (lint + format check) and mypy
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy

format: .venv/.synced ## Format the code with ruff
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

bench-bills: .venv/.synced ## Bill engine and estimate endpoint throughput
	$(PY) benchmarks/bench_bills.py

bench-api: .venv/.synced ## GET /me/usage and POST /me/readings latency
	$(PY) benchmarks/bench_api.py

bench-ml: .venv/.synced ## Training and scoring speed and memory of the consumption model
	$(PY) benchmarks/bench_ml.py

# bench-notify's size: 1,000,000 households by default (~30 min); `make bench` uses a smaller one
BENCH_NOTIFY_ARGS ?=
BENCH_NOTIFY_REPORT_ARGS := --households 50000 --deliver 10000
bench-notify: .venv/.synced ## Weekly tips for 1,000,000 households on PostgreSQL: fan-out and fake-FCM delivery, 1 and 2 workers
	scripts/with-postgres.sh $(PY) benchmarks/bench_notify.py $(BENCH_NOTIFY_ARGS)

bench-bot: setup ## Chat round-trip latency through the REST channel
	bot/.venv/bin/python bot/scripts/bench.py

bench-load: setup bot-train ## Locust: 50 households for 60 s on the prod-local stack (chat + usage), p95
	$(PY) -m pytest -q -s -o addopts="-ra" tests/scale/test_load.py

BENCHES := bench-bills bench-api bench-ml bench-notify bench-load
bench: .venv/.synced ## Run every benchmark and write docs/benchmarks.md (machine, date, figures)
	BENCH_NOTIFY_ARGS="$(or $(BENCH_NOTIFY_ARGS),$(BENCH_NOTIFY_REPORT_ARGS))" $(PY) benchmarks/report.py $(BENCHES)

clean: ## Remove environments, models and the local database
	rm -rf .venv bot/.venv .tools var bot/models
