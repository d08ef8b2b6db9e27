# Studio Bridge: every target installs what it needs first.
#   make run     serve the API on http://127.0.0.1:8000 with the embedded defaults
#   make test    the whole test suite
#   make lint    ruff (lint + format check), mypy, the import-linter layer contract
#   make bench   load a real server process with wrk; results in bench/results/
SHELL := /bin/bash
.DEFAULT_GOAL := help

export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy

# uv itself: the one on PATH if it works, else a private copy installed with pip.
UV := $(shell uv --version >/dev/null 2>&1 && echo uv || echo $(CURDIR)/.tools/bin/uv)
VENV := .venv
STAMP := $(VENV)/.synced

.PHONY: help run test lint format bench install docs-assets clean

help:
	@sed -n '2,6p' Makefile | sed 's/^#//'

$(CURDIR)/.tools/bin/uv:
	python3 -m venv $(CURDIR)/.tools
	$(CURDIR)/.tools/bin/pip install --quiet uv

$(STAMP): pyproject.toml uv.lock | $(if $(filter uv,$(UV)),,$(CURDIR)/.tools/bin/uv)
	$(UV) sync --locked
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(UV) run --no-sync studio-bridge serve

# pytest's exit status 5 ("no tests collected") is turned into a failure.
test: $(STAMP)
	$(UV) run --no-sync python tools/system_deps.py test
	$(UV) run --no-sync pytest $(PYTEST_ARGS); status=$$?; \
	  if [ $$status -eq 5 ]; then echo "make test: no tests were collected" >&2; exit 1; fi; exit $$status

lint: $(STAMP)
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .
	$(UV) run --no-sync mypy
	$(UV) run --no-sync lint-imports

format: $(STAMP)
	$(UV) run --no-sync ruff format .
	$(UV) run --no-sync ruff check --fix .

bench: $(STAMP)
	$(UV) run --no-sync python tools/system_deps.py bench
	$(UV) run --no-sync python -m bench

# Refresh the vendored Swagger UI (served by /docs with no network) from the npm registry.
SWAGGER_UI_VERSION ?= 5
docs-assets:
	rm -rf .tools/swagger && mkdir -p .tools/swagger
	cd .tools/swagger && npm pack --silent swagger-ui-dist@$(SWAGGER_UI_VERSION) && tar xzf swagger-ui-dist-*.tgz
	for f in swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css favicon-32x32.png LICENSE NOTICE; do \
	  cp .tools/swagger/package/$$f entrypoints/http/docs_assets/swagger-ui/; done
	node -p "require('./.tools/swagger/package/package.json').version" > entrypoints/http/docs_assets/swagger-ui/VERSION

clean:
	rm -rf .venv .tools .pytest_cache .mypy_cache .ruff_cache bench/results/*.json
