# SMC — the two commands that matter: `make run` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
ASSETS  := web/static/vendor/leaflet/leaflet.js
PYDIRS  := domain projections api playbooks web channels tests bench scripts

.PHONY: run test lint bench sysdeps venv assets clean fmt

run: $(STAMP) $(ASSETS)
	$(BIN)/smc demo --if-empty
	$(BIN)/smc serve

test: sysdeps $(STAMP) $(ASSETS)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check $(PYDIRS)
	$(BIN)/mypy .
	$(BIN)/lint-imports

fmt: $(STAMP)
	$(BIN)/ruff format $(PYDIRS)
	$(BIN)/ruff check --fix .

bench: sysdeps $(STAMP)
	$(BIN)/python -m bench

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

assets: $(ASSETS)

$(ASSETS): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --silent
	mkdir -p web/static/vendor/leaflet
	cp -r web/node_modules/leaflet/dist/leaflet.js web/node_modules/leaflet/dist/leaflet.css \
	      web/node_modules/leaflet/dist/images web/static/vendor/leaflet/

# System packages the suite uses: PostgreSQL (throwaway clusters) and Chromium (page tests).
# Installed only when missing and when we may (root with apt-get); otherwise the tests that
# need them are skipped with a reason (never in CI, where .ci/run installs them).
sysdeps:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	   { ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v chromium >/dev/null; }; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    postgresql chromium fonts-nanum >/dev/null; \
	fi

clean:
	rm -rf $(VENV) web/node_modules web/static/vendor var
