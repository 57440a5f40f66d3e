# bpflab: `make run` sets everything up and runs the site; `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

# Debian 12 packages the platform needs at run time and to build its sandbox.
DEB_PACKAGES := clang llvm libbpf-dev bpftool iproute2 redis-server qemu-system-x86 \
	busybox-static bubblewrap cpio libelf-dev zlib1g-dev libzstd-dev gcc make pkg-config \
	docker.io chromium python3-venv procps psmisc kmod ca-certificates wrk gettext lz4 zstd \
	curl jq

.PHONY: help install system-packages venv sandbox-build content run test bench lint migrations-check services

help:
	@echo "make run    - install everything, then run the site on http://127.0.0.1:8000"
	@echo "make test   - install everything, then run the whole test suite"
	@echo "make bench  - run the benchmarks"
	@echo "make install, make lint, make migrations-check"

install: system-packages venv sandbox-build content

system-packages:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

sandbox-build: venv
	$(PY) -m sandbox build
	@if $(PY) -c "import sandbox.image" 2>/dev/null; then $(PY) -m sandbox image build; fi

content: venv
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py load_content
	$(PY) manage.py collectstatic --noinput -v 0

services: venv
	@$(PY) manage.py services up

run: install
	$(PY) manage.py runstack

test: install services lint migrations-check
	$(PY) manage.py check_content
	$(PY) -m pytest -p no:cacheprovider $(PYTEST_ARGS)

# The site bench writes users and runs: it gets a database of its own.
BENCH_DB := sqlite:///$(CURDIR)/var/bench.sqlite3

bench: install services
	DATABASE_URL=$(BENCH_DB) $(PY) manage.py migrate --noinput -v 0
	DATABASE_URL=$(BENCH_DB) $(PY) manage.py load_content
	DATABASE_URL=$(BENCH_DB) $(PY) manage.py bench_site --json
	$(PY) -m sandbox bench --json

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

migrations-check: venv
	$(PY) manage.py makemigrations --check --dry-run
