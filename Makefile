# medops: the two commands a person needs are `make lab` and `make test` (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV      ?= .venv
# The sample application's release `make lab` deploys (records of lab runs stay in .lab/records).
LAB_APP_VERSION ?= 1.1.0
# Light containers `make bench-inspect` starts (and removes) to time the weekly inspection.
BENCH_HOSTS ?= 50
# The system `make drill` crashes, rebuilds on the spare and fails back (docs/runbooks/dr-drill.md).
DRILL_SYSTEM ?= qcis
# Light containers `make bench-converge` starts (and removes) to time a converge at fleet size.
BENCH_CONVERGE_HOSTS ?= 100
# `make ee`: the execution environment's base image (an EE "minimal" image of the RHEL 9 family from a
# registry this machine reaches; docs/awx.md), the engine that builds it and the image's name.
EE_BASE_IMAGE ?=
EE_RUNTIME ?= docker
EE_TAG    ?= medops-ee:$(shell git describe --always --dirty --tags 2>/dev/null || echo dev)
BIN       := $(VENV)/bin
# Records of lab runs, absolute: playbooks resolve a relative records folder against playbooks/.
LAB_RECORDS := $(CURDIR)/.lab/records
PYTHON    ?= python3
STAMP     := $(VENV)/.installed
# Stage timer: `$(call timed,name,command)` prints how long each stage took.
# A failing command fails the stage (and make), whatever shell list it is written as.
timed = start=$$(date +%s); echo "== $(1)"; \
  if $(2); then echo "== $(1): $$(( $$(date +%s) - start )) s"; \
  else echo "== $(1): FAILED after $$(( $$(date +%s) - start )) s"; exit 1; fi
SCENARIOS := $(sort $(notdir $(patsubst %/molecule.yml,%,$(wildcard molecule/*/molecule.yml))))
export PATH := $(CURDIR)/$(BIN):$(PATH)
# Run history: lab playbook runs are recorded by ARA when installed (docs/runbooks/run-history.md);
# ansible.cfg's [ara] section says what it never keeps.
ARA_CALLBACKS := $(shell $(BIN)/python -m ara.setup.callback_plugins 2>/dev/null)
comma := ,
ARA = $(if $(ARA_CALLBACKS),ANSIBLE_CALLBACK_PLUGINS=$(CURDIR)/plugins/callback:$(ARA_CALLBACKS) \
  ANSIBLE_CALLBACKS_ENABLED=medops_summary$(comma)ara_default ARA_BASE_DIR=$${ARA_BASE_DIR:-$(CURDIR)/.lab/ara})
export ANSIBLE_FORCE_COLOR := 0
export PY_COLORS := 0

.PHONY: help lab lab-down lab-status lab-inspect converge lab-deploy test lint pytest molecule engine images venv lock \
  clean releases bench-inspect bench-converge bench-lab-converge ee drill scenarios

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-19s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	@$(call timed,venv,\
	  { [ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV); } && \
	  $(BIN)/python -m pip install -q --upgrade pip && \
	  $(BIN)/pip install -q -c requirements.lock -e '.[dev]' && touch $@)

venv: $(STAMP) ## Create .venv with the pinned tools

engine: ## Make a Docker engine answer (installs docker.io, starts dockerd when needed)
	@$(call timed,engine,bash scripts/lab/docker-engine.sh)

images: $(STAMP) engine ## Build the lab's Debian base images when absent or stale (and start the APT cache)
	@$(call timed,apt cache,$(BIN)/medops lab apt-cache)
	@$(call timed,images,$(BIN)/medops lab images)

lab: $(STAMP) images ## Bring up the lab estate and converge it
	@$(call timed,lab secrets,$(BIN)/medops lab secrets)
	@$(call timed,lab hosts,$(BIN)/medops lab up)
	@$(call timed,converge,$(MAKE) --no-print-directory converge)
	@$(call timed,deploy,$(MAKE) --no-print-directory lab-deploy)

converge: $(STAMP) ## Run playbooks/site.yml against the lab
	@mkdir -p .lab
	$(ARA) MEDOPS_RECORDS=$(LAB_RECORDS) MEDOPS_RUN_SUMMARY=.lab/last-converge.json $(BIN)/ansible-playbook playbooks/site.yml

lab-deploy: $(STAMP) releases ## Deploy the sample application (LAB_APP_VERSION) to both systems in the lab
	@for s in qcis chfms; do \
	  $(call timed,deploy $$s $(LAB_APP_VERSION),$(ARA) MEDOPS_RECORDS=$(LAB_RECORDS) $(BIN)/ansible-playbook playbooks/deploy.yml -e system=$$s -e version=$(LAB_APP_VERSION)); \
	done

lab-down: $(STAMP) ## Remove the lab's containers and network (images and secrets stay)
	@$(BIN)/medops lab down

lab-status: $(STAMP) ## Show the state of each lab host
	@$(BIN)/medops lab status

lab-inspect: $(STAMP) ## Inspect the lab now (records and reports in .lab/records; exit 1 warnings, 2 critical)
	@mkdir -p .lab
	MEDOPS_RECORDS=$(LAB_RECORDS) $(BIN)/medops inspect --summary

drill: $(STAMP) releases ## A whole DR drill on the lab (DRILL_SYSTEM, default qcis): crash, rebuild, fail-back, report
	@mkdir -p .lab
	@$(call timed,drill $(DRILL_SYSTEM),MEDOPS_RECORDS=$(LAB_RECORDS) $(BIN)/medops lab drill --system $(DRILL_SYSTEM))

bench-inspect: $(STAMP) images ## Time medops inspect against ansible -m setup on throwaway containers
	@also=(); if docker ps -q --filter label=medops.lab=medops-lab | grep -q .; then \
	  also=(--also inventory/lab "the lab hosts"); fi; \
	$(call timed,bench-inspect,$(BIN)/python -m medops.inspect.bench --hosts $(BENCH_HOSTS) \
	  --doc docs/performance.md "$${also[@]}")

ee: $(STAMP) ## Build the AWX execution environment image (EE_BASE_IMAGE=<registry>/<EE minimal image>)
	@if [ -z "$(EE_BASE_IMAGE)" ]; then \
	  echo "make ee: name the base image: make ee EE_BASE_IMAGE=<registry>/<EE minimal image> (docs/awx.md)"; exit 2; fi
	@$(call timed,ee $(EE_TAG),$(BIN)/ansible-builder build --file execution-environment.yml --context build/ee \
	  --container-runtime $(EE_RUNTIME) --tag $(EE_TAG) --build-arg EE_BASE_IMAGE=$(EE_BASE_IMAGE))

bench-converge: $(STAMP) images ## Time a converge of light containers: forks, strategy, pipelining, fact cache
	@$(call timed,bench-converge,$(BIN)/python -m medops.bench.converge --hosts $(BENCH_CONVERGE_HOSTS) \
	  --doc docs/performance.md)

bench-lab-converge: $(STAMP) images ## Rebuild the lab twice, time site.yml: ansible.cfg against defaults
	@if [ "$(LAB_REBUILD)" != yes ]; then \
	  echo "make bench-lab-converge removes and re-creates the lab twice: run it when nobody uses the lab," \
	  "as make bench-lab-converge LAB_REBUILD=yes"; exit 2; fi
	@$(call timed,bench-lab-converge,$(BIN)/python -m medops.bench.converge --lab --doc docs/performance.md)

releases: $(STAMP) ## Build the sample application's release tarballs into build/releases
	@$(call timed,releases,$(BIN)/medops app build)

lint: $(STAMP) ## ansible-lint (production profile), yamllint, ruff, mypy
	@$(call timed,yamllint,$(BIN)/yamllint --strict .)
	@$(call timed,ansible-lint,$(BIN)/ansible-lint --profile production -q)
	@$(call timed,ruff,$(BIN)/ruff check scripts tests plugins molecule sampleapp roles/app/files/medops-app-switch roles/postgresql/files/medops-heartbeat)
	@$(call timed,ruff format,$(BIN)/ruff format --check scripts tests plugins molecule sampleapp roles/app/files/medops-app-switch roles/postgresql/files/medops-heartbeat)
	@$(call timed,mypy,$(BIN)/mypy)
	@$(call timed,scenarios,$(BIN)/python scripts/ci/estate_copy.py --check)

scenarios: $(STAMP) ## Regenerate molecule/estate-patch-dr/molecule.yml from molecule/estate's
	@$(BIN)/python scripts/ci/estate_copy.py

pytest: $(STAMP) ## Unit tests and inventory sanity
	@$(call timed,pytest,$(BIN)/pytest -q)

molecule: $(STAMP) images ## Every molecule scenario, side by side (logs in .lab/molecule/)
	@$(call timed,molecule $(SCENARIOS),bash scripts/ci/molecule-all.sh $(SCENARIOS))

# The molecule scenarios take most of the time and wait more than they compute: lint and pytest run
# beside them instead of before them (their lines as they come; make fails if any of the three fails).
test: ## Every check: lint, pytest, all molecule scenarios (side by side)
	@$(MAKE) --no-print-directory -j3 --output-sync=none lint pytest molecule

lock: ## Re-resolve requirements.lock from pyproject.toml (review the diff)
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install -q --upgrade pip && .venv-lock/bin/pip install -q -e '.[dev]'
	{ echo "# Exact versions of every Python package medops uses, passed to pip as constraints by \`make\`."; \
	  echo "# Regenerate with \`make lock\` after changing pyproject.toml, review the diff, commit both."; \
	  .venv-lock/bin/pip freeze --exclude-editable | grep -v '^-e'; } > requirements.lock
	rm -rf .venv-lock

clean: ## Remove caches (not the lab, not the venv)
	rm -rf .ansible/facts .mypy_cache .ruff_cache .pytest_cache
