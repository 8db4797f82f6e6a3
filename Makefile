# The two commands a newcomer needs: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ADDRESS ?= 127.0.0.1:8000
PYTEST_ARGS ?=
# make test's pytest processes (pytest-xdist): one per core; PYTEST_WORKERS=0 runs in this one.
# worksteal: each worker starts on its own half of the suite (a module's world built once) and
# an idle worker takes tests from the other's queue; xdist's default left the last 45 s of the
# suite to one worker (tests/README.md).
PYTEST_WORKERS ?= auto

.PHONY: install run test lint messages bench up down backup restore stack-test clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

## Serve the demo clinic on the embedded SQLite database, with tasks run in-process.
## DEBUG stays off, so a missing page gets the clinic's own 404 page (DEBUG's lists every URL);
## --insecure lets runserver serve the static files all the same. The demo's second factor is
## off (every page says so; production refuses it): docs/security.md.
## The demo's e-mails link to the address it is served at (SITE_URL, docs/security.md).
RUN_SITE_URL ?= http://$(ADDRESS)
run: install
	$(BIN)/python manage.py migrate --no-input
	SITE_URL=$(RUN_SITE_URL) $(BIN)/python manage.py seed_demo
	@echo "Serving on http://$(ADDRESS)/ — stop with Ctrl-C. Two-factor authentication is off."
	DEBUG=false TWO_FACTOR_REQUIRED=false SITE_URL=$(RUN_SITE_URL) $(BIN)/python manage.py runserver --insecure $(ADDRESS)

## The whole stack as production runs it, on this machine: production settings, PostgreSQL and
## Redis as they run here, gunicorn, a Celery worker and beat (Procfile), the demo clinic, HTTP
## on 127.0.0.1 only. Keys and addresses: var/$(STACK_NAME).env, made once (STACK_FRESH=1: a new
## one, and an empty database and broker). Logs: var/$(STACK_NAME).log.
STACK_NAME ?= stack
STACK_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/clinic_stack
STACK_BROKER_URL ?= redis://127.0.0.1:6379/3
STACK_ADDRESS ?= 127.0.0.1:8000
STACK_FRESH ?=
STACK := env PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/honcho --env var/$(STACK_NAME).env
up: install
	$(BIN)/python deploy/stack.py prepare $(STACK_NAME) $(STACK_DATABASE_URL) $(STACK_BROKER_URL) \
		$(STACK_ADDRESS) $(if $(STACK_FRESH),--fresh)
	$(STACK) run python manage.py migrate --no-input
	$(STACK) run python manage.py collectstatic --no-input --verbosity 0
	$(STACK) run python manage.py seed_demo
	@if [ -f var/$(STACK_NAME).pid ] && kill -0 $$(cat var/$(STACK_NAME).pid) 2>/dev/null; then \
		echo "The stack is running already (make down stops it)."; \
	else \
		setsid $(STACK) start > var/$(STACK_NAME).log 2>&1 < /dev/null & \
		echo $$! > var/$(STACK_NAME).pid; \
	fi
	$(BIN)/python deploy/stack.py wait $(STACK_NAME) 120
	@echo "The stack serves http://$$(grep ^GUNICORN_BIND= var/$(STACK_NAME).env | cut -d= -f2)/ — make down stops it."

down: install
	$(BIN)/python deploy/stack.py stop $(STACK_NAME)

## Back up the PostgreSQL database that DATABASE_URL names into BACKUP_DIR (var/backups), and
## restore a backup into a new, empty one: docs/operations.md, "Backups and restore".
backup: install
	$(BIN)/python manage.py backup

restore: install
	@test -n "$(FROM)" || { echo "Say which backup: make restore FROM=var/backups/clinic-…"; exit 2; }
	$(BIN)/python manage.py restore $(FROM)

## The stack's own tests (tests/stack): a fresh stack started with make up, driven over HTTP.
stack-test: install
	$(BIN)/pytest -m stack tests/stack $(PYTEST_ARGS)

## Lint, then the whole test suite (DATABASE_URL picks the database; SQLite by default), spread
## over the machine's cores; each pytest process has a test database of its own. COVERAGE=1 also
## measures the rules, reads and writes, and fails under the floor (pyproject.toml).
COVERAGE ?=
test: install lint
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal $(if $(COVERAGE),--cov --cov-report=term) \
		$(PYTEST_ARGS)

## Style, the layers' import contracts, then the types of the modules pyproject.toml's
## [tool.mypy] lists (docs/architecture.md, "Type checking").
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

## The clinic-network benchmark on PostgreSQL (bench/README.md): a fresh bench database, seeded
## and measured; SCALE=0.05 for a quick look.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bench_scale
SCALE ?= 1
bench: install
	DATABASE_URL=$(BENCH_DATABASE_URL) LOG_LEVEL=WARNING $(BIN)/python bench/scale.py --fresh --scale $(SCALE)

## Refresh the fr, nl and de catalogues after changing user-facing strings, then compile them
## (German for the letters only: the interface speaks en, fr, nl). No source locations: a line
## moved in the code changes no catalogue. tests/test_i18n.py fails until this has been run.
messages: install
	$(BIN)/python manage.py makemessages --locale fr --locale nl --locale de --ignore '$(VENV)/*' \
		--no-obsolete --no-location
	$(BIN)/python manage.py compilemessages --ignore '$(VENV)/*'

clean:
	rm -rf $(VENV) var *.egg-info
