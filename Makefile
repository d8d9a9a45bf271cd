# Household energy-saving advisor — every task of the project. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.SHELLFLAGS := -eu -o pipefail -c

UV_VERSION := 0.13.9
UV := .tools/bin/uv
PY := .venv/bin/python
export VAR_DIR ?= $(CURDIR)/var
export UV_LINK_MODE ?= copy
TIMED := scripts/timed.sh

# System prerequisites (scripts/prereqs.py knows what each target needs; .ci/run installs the same
# list), checked before anything runs: a missing redis-server stops `make test` in its first
# seconds with the install command, not after half an hour. SKIP_PREREQS=1 skips the check.
GOALS := $(or $(MAKECMDGOALS),$(.DEFAULT_GOAL))
ifneq ($(filter-out help doctor clean,$(GOALS)),)
ifndef SKIP_PREREQS
$(shell python3 scripts/prereqs.py check $(GOALS) 1>&2)
ifeq ($(.SHELLSTATUS),127)
$(error python3 not found: Python 3.11 is needed (Debian: apt-get install -y python3 python3-venv))
else ifneq ($(.SHELLSTATUS),0)
$(error system prerequisites missing (listed above))
endif
endif
endif

.PHONY: help setup run run-prod-local test test-app test-bot-model test-backend test-postgres test-bot test-scale lint format \
        db nlu train bot-train bot-eval ml-eval bench bench-bills bench-api bench-bot bench-ml bench-notify \
        bench-load bench-projection projection-eval bench-chat bench-lighthouse clean doctor

help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-17s\033[0m %s\n", $$1, $$2}'

$(UV):
	$(TIMED) "setup: uv $(UV_VERSION) into .tools/" \
	  bash -c 'python3 -m venv .tools && .tools/bin/pip install --quiet "uv==$(UV_VERSION)"'

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(TIMED) "setup: app environment (.venv)" $(UV) sync --frozen --quiet
	touch $@

bot/.venv/.synced: bot/requirements.txt | $(UV)
	[ -x bot/.venv/bin/python ] || $(UV) venv --quiet --python "$$(scripts/find-python310.sh)" bot/.venv
	$(TIMED) "setup: bot environment (bot/.venv, Rasa)" \
	  $(UV) pip install --quiet --python bot/.venv/bin/python -r bot/requirements.txt
	touch $@

setup: .venv/.synced bot/.venv/.synced ## Create or update both environments (app: .venv, bot: bot/.venv)
	@echo "==> $(call step,$@): both environments ready ($(took) since make started)"

doctor: ## Print what the project sees: versions, services reachable, optional credentials
	@python3 scripts/doctor.py

db: .venv/.synced ## Migrate the database, load the demo data (households, staff console), train (if missing or stale) and run the anomaly model
	$(PY) scripts/prepare_db.py

nlu: bot/.venv/.synced ## Regenerate bot/data/nlu/*.yml from bot/nlu_source/sources.py (then commit both)
	bot/.venv/bin/python bot/scripts/generate_nlu.py

bot-train: bot/.venv/.synced ## Train the Rasa model when bot data or config changed
	bash bot/scripts/train.sh

train: bot-train db ## Train what is missing or out of date (Rasa model; anomaly model on the households' readings)

run: setup ## Prepare the database (as make db), start the stack (backend :5000, Rasa :5005, actions :5055), training the bot first if needed; Ctrl-C stops all
	$(PY) scripts/run_stack.py

run-prod-local: setup bot-train ## Production shape on loopback: PostgreSQL, Redis, 2 Rasa, actions, gunicorn, 2 workers
	$(PY) scripts/prod_local.py

# `make test` runs these in order, each announced as "[3/5] test-app" with its elapsed time;
# test-app runs test-backend, test-postgres, the bot's unit tests and its training side by side
# (none needs another); test-bot-model then tests the trained model
TEST_STEPS := setup lint test-app test-bot-model test-scale
$(foreach step,$(TEST_STEPS),$(eval STEP_NO_$(step) := $(words $(_steps_seen) x))$(eval _steps_seen += x))
MAKE_START := $(shell date +%s)
# "[n/5] target" when `make test` runs it, the bare target name otherwise
step = $(if $(filter test,$(GOALS)),[$(STEP_NO_$1)/$(words $(TEST_STEPS))] )$1
took = $$(( ($$(date +%s) - $(MAKE_START)) / 60 )) min $$(( ($$(date +%s) - $(MAKE_START)) % 60 )) s
ifneq ($(filter test,$(GOALS)),)
$(info ==> make test: $(words $(TEST_STEPS)) steps in turn: $(TEST_STEPS))
endif

test: $(TEST_STEPS) ## Lint, then every test suite in turn (what CI runs: .ci/run)
	@echo "==> make test: all $(words $(TEST_STEPS)) steps passed in $(took)"

test-backend: .venv/.synced ## pytest on SQLite: every test under tests/ but tests/bot and tests/scale
	$(TIMED) "$(call step,$@)" $(PY) -m pytest -q

PG_TESTS := tests/backend tests/notifications
PG_PYTEST := $(if $(TEST_DATABASE_URL),,scripts/with-postgres.sh )$(PY) -m pytest -q $(PG_TESTS)
test-postgres: .venv/.synced ## Backend tests on PostgreSQL (TEST_DATABASE_URL, or a throwaway local cluster)
	$(TIMED) "$(call step,$@)" $(PG_PYTEST)

# Side by side on two cores: about 12 min instead of 10 + 6.5 + 9 one after another (docs/benchmarks.md).
# The PostgreSQL run gets its own pytest temporary root and no cache, so the two runs never meet.
test-app: .venv/.synced bot/.venv/.synced ## test-backend, test-postgres, bot-train and the bot's unit tests side by side
	python3 scripts/parallel.py --label "$(call step,$@)" --logs "$(VAR_DIR)/test-logs" \
	  --job "test-backend=$(PY) -m pytest -q" \
	  --job "test-postgres=mkdir -p $${TMPDIR:-/tmp}/pytest-postgres && PYTEST_DEBUG_TEMPROOT=$${TMPDIR:-/tmp}/pytest-postgres $(PG_PYTEST) -p no:cacheprovider" \
	  --job "bot-train=bash bot/scripts/train.sh" \
	  --job "bot-unit=bash bot/scripts/test.sh unit"

test-bot: bot/.venv/.synced ## Bot: data validation, action and channel tests, test stories
	$(TIMED) "$(call step,$@)" bash bot/scripts/test.sh

test-bot-model: bot/.venv/.synced ## Bot: train if needed, then test stories and held-out NLU accuracy only
	$(TIMED) "$(call step,$@)" bash bot/scripts/test.sh model

bot-eval: bot-train ## Intent accuracy of every held-out NLU file per style; misread figures of the bill suite
	bash bot/scripts/eval.sh

ml-eval: .venv/.synced ## Consumption model vs CalTRACK and the 30% rule, every simulated world
	$(PY) -m ml evaluate --write ml/EVALUATION.md
	$(PY) -m ml worlds --write ml/EVALUATION.md

projection-eval: .venv/.synced ## Projected bill vs run rates and last period on simulated households (day 5–25)
	$(PY) scripts/projection_eval.py --write ml/EVALUATION.md

test-scale: setup bot-train ## Prod-local stack: two Rasa servers, faults, security, load (locust); ~10 min
	$(TIMED) "$(call step,$@)" $(PY) -m pytest -q -o addopts="-ra --strict-markers" tests/scale

lint: .venv/.synced bot/.venv/.synced ## ruff (lint + format check), mypy on the app and on bot/ (Python 3.10)
	$(TIMED) "$(call step,$@)" bash -c '.venv/bin/ruff check . && .venv/bin/ruff format --check . \
	  && .venv/bin/mypy && .venv/bin/mypy --config-file bot/mypy.ini --python-executable bot/.venv/bin/python'

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

# e.g. BENCH_PROJECTION_ARGS="--skip-compute --model /tmp/bench_projection_model.skops --train":
# the trained consumption model (trained once on the bench's database, ~5 min CPU at 20,000)
BENCH_PROJECTION_ARGS ?=
bench-projection: .venv/.synced ## Nightly projections: households per minute on one worker, memory
	$(PY) benchmarks/bench_projection.py $(BENCH_PROJECTION_ARGS)

bench-chat: setup bot-train ## Chat under load: POST /api/v1/chat vs Rasa's REST input at 1-50 households
	$(PY) benchmarks/bench_chat.py $(BENCH_CHAT_ARGS)

# Lighthouse from npm, under .tools/node/ (git-ignored; never in the repository, not in `make test`)
LIGHTHOUSE_VERSION := 12.8.2
.tools/node/node_modules/.bin/lighthouse:
	npm install --prefix .tools/node --no-audit --no-fund --silent "lighthouse@$(LIGHTHOUSE_VERSION)"

bench-lighthouse: .venv/.synced .tools/node/node_modules/.bin/lighthouse ## Lighthouse (mobile) on the household page in Debian's Chromium: performance, accessibility
	$(PY) benchmarks/bench_lighthouse.py

bench-bot: setup ## Chat round-trip latency through the REST channel
	bot/.venv/bin/python bot/scripts/bench.py

bench-load: setup bot-train ## Locust: 50 households for 60 s on the prod-local stack (chat + usage), p95
	$(PY) -m pytest -q -s -o addopts="-ra" tests/scale/test_load.py

BENCHES := bench-bills bench-api bench-ml bench-notify bench-load bench-projection
bench: .venv/.synced ## Run bench-bills, -api, -ml, -notify (smaller size), -load and -projection; write docs/benchmarks.md
	BENCH_NOTIFY_ARGS="$(or $(BENCH_NOTIFY_ARGS),$(BENCH_NOTIFY_REPORT_ARGS))" $(PY) benchmarks/report.py $(BENCHES)

clean: ## Remove .venv, bot/.venv, .tools (uv), var/ (database, models) and bot/models
	rm -rf .venv bot/.venv .tools var bot/models
