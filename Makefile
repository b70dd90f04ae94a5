# Two commands: `make demo` sets up and serves the demo; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_ENV := SELFEVAL_MODE=demo DEBUG=true
TEST_ENV := SELFEVAL_MODE=test

.PHONY: demo test install system-deps test-system-deps vendor migrate demo-data serve lint bench clean

demo: install system-deps vendor migrate demo-data serve

test: install test-system-deps vendor
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# System packages: the CJK font for PDFs (and, for the tests, Chromium and poppler).
system-deps:
	@bash scripts/system-deps.sh fonts-noto-cjk npm

test-system-deps:
	@bash scripts/system-deps.sh fonts-noto-cjk chromium poppler-utils npm

# Bootstrap comes from the npm registry at install time and is served by the app itself.
vendor: static/vendor/.installed

static/vendor/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "需要 npm：apt-get install npm"; exit 1; }
	npm ci --no-audit --no-fund --silent
	mkdir -p static/vendor/bootstrap
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map static/vendor/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map static/vendor/bootstrap/
	touch $@

migrate: install
	mkdir -p var
	$(DEMO_ENV) $(PY) manage.py migrate --noinput

demo-data: install
	$(DEMO_ENV) $(PY) manage.py load_demo
	$(DEMO_ENV) $(PY) manage.py store_documents --queue

# The web server and the task worker together: a batch export queued in the demo finishes there.
serve:
	@echo "绩效自评已启动: http://$(HOST):$(PORT)/  （管理后台 /admin/）"
	$(DEMO_ENV) PY=$(PY) HOST=$(HOST) PORT=$(PORT) bash scripts/serve-demo.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run

bench: install
	$(TEST_ENV) $(PY) bench/bench_engine.py

clean:
	rm -rf $(VENV) static/vendor node_modules var/selfeval.sqlite3*
