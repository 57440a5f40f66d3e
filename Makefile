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
	fonts-wqy-zenhei \
	curl jq postgresql-15 debootstrap iputils-ping

.PHONY: help install system-packages venv sandbox-build content run test bench lint migrations-check services \
	compose-images compose-test

help:
	@echo "make run    - install everything, then run the site on http://127.0.0.1:8000 (PORT=8001 for another port)"
	@echo "make test   - install everything, then run the whole test suite"
	@echo "make bench  - run the benchmarks"
	@echo "make compose-test - build the compose images, run the multi-service smoke test"
	@echo "make install, make lint, make migrations-check, make compose-images"

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

# The suite runs against PostgreSQL 15, the database sites use: `services up` starts one
# (its own cluster, on its own port) when nothing answers there. `make run` keeps SQLite.
TEST_DATABASE_URL ?= postgres://bpflab:bpflab@127.0.0.1:5433/bpflab

test: install lint migrations-check
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) manage.py services up
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) manage.py check_content
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m pytest -p no:cacheprovider $(PYTEST_ARGS)

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

# docker compose v2, from Debian's archive (trixie) through sandbox.apt's private apt
# configuration: the version and checksum are pinned in
# sandbox/compose/docker-compose.lock.json.
COMPOSE := $(CURDIR)/var/bin/docker-compose
COMPOSE_ENV := $(CURDIR)/var/compose-images.env

$(COMPOSE): sandbox/compose/docker-compose.lock.json | venv
	@mkdir -p $(@D)
	deb=$$($(PY) -m sandbox.apt fetch $< var/debs) && \
		dpkg-deb --fsys-tarfile "$$deb" | tar -xO ./usr/libexec/docker/cli-plugins/docker-compose >$@.part
	chmod +x $@.part && mv $@.part $@

# Base, PostgreSQL and Redis images from Debian's packages (debootstrap + docker import) and
# the Python wheels, for a machine that reaches no registry; writes the variables selecting them.
compose-images: system-packages venv $(COMPOSE)
	$(PY) manage.py services up
	@# Debian's own Python builds the wheels: the image's, so dependency markers (redis needs
	@# async-timeout before 3.11.3) are read for the interpreter that will install them.
	test -x var/wheel-venv/bin/pip || /usr/bin/python3 -m venv var/wheel-venv
	var/wheel-venv/bin/pip wheel -q -r requirements.txt -w var/wheels
	sandbox/compose/build-images >$(COMPOSE_ENV).part
	echo BPFLAB_PIP_WHEELS=var/wheels >>$(COMPOSE_ENV).part
	mv $(COMPOSE_ENV).part $(COMPOSE_ENV)
	@cat $(COMPOSE_ENV)

# web + 2 workers + Redis + PostgreSQL from docker-compose.yml, driven from this host.
compose-test: compose-images
	BPFLAB_COMPOSE=$(COMPOSE) BPFLAB_COMPOSE_ENV=$(COMPOSE_ENV) \
		$(PY) -m pytest -p no:cacheprovider -v tests/test_compose_deployment.py $(PYTEST_ARGS)
