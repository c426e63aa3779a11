# Yingji — the two commands a new machine needs are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
ASSETS := src/yingji/web/static/vendor/.built
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: demo test install assets messages lint e2e bench serve clean lock

demo: install assets messages ## build everything, load 示范市 and serve it on http://127.0.0.1:8000
	$(BIN)/yingji migrate
	$(BIN)/yingji demo-data
	$(BIN)/yingji collectstatic
	@$(BIN)/yingji demo-logins
	$(BIN)/yingji serve --host $(HOST) --port $(PORT)

test: install assets messages lint ## ruff, import contracts, then the whole suite on SQLite
	$(BIN)/pytest $(PYTEST_ARGS)

install: $(INSTALLED)

$(INSTALLED): pyproject.toml requirements/lock.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade 'pip>=24'
	$(BIN)/python -m pip install --quiet -c requirements/lock.txt -e '.[dev]'
	touch $@

assets: $(ASSETS) ## front-end libraries from npm (package-lock.json) into static/vendor

$(ASSETS): package.json package-lock.json scripts/build_assets.py
	npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python scripts/build_assets.py
	touch $@

messages: install ## compile the zh-Hans catalogue (.po → .mo)
	$(BIN)/python scripts/compile_messages.py

lint: install
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/lint-imports

e2e: install assets messages ## browser tests in Debian's Chromium
	$(BIN)/pytest -m e2e $(PYTEST_ARGS)

bench: install ## benchmarks, reported as ratios to a reference measured in the same run
	$(BIN)/python -m benchmarks

serve: install
	$(BIN)/yingji serve --host $(HOST) --port $(PORT)

lock: ## refresh the pinned list of every installed package after changing pyproject.toml
	$(BIN)/pip freeze --exclude-editable | grep -v '^yingji' > requirements/lock.txt

clean:
	rm -rf $(VENV) node_modules src/yingji/web/static/vendor var/static
