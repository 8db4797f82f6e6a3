# The two commands a newcomer needs: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ADDRESS ?= 127.0.0.1:8000
PYTEST_ARGS ?=

.PHONY: install run test lint messages clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

## Serve the demo clinic on the embedded SQLite database, with tasks run in-process.
run: install
	DEBUG=true $(BIN)/python manage.py migrate --no-input
	DEBUG=true $(BIN)/python manage.py seed_demo
	@echo "Serving on http://$(ADDRESS)/ — stop with Ctrl-C."
	DEBUG=true $(BIN)/python manage.py runserver $(ADDRESS)

## Lint, then the whole test suite (DATABASE_URL picks the database; SQLite by default).
test: install lint
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Refresh the fr and nl catalogues after changing user-facing strings, then compile them.
messages: install
	$(BIN)/python manage.py makemessages --locale fr --locale nl --ignore '$(VENV)/*' --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore '$(VENV)/*'

clean:
	rm -rf $(VENV) var *.egg-info
