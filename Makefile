# Onceship: `make run` and `make test` work on a fresh clone (they create .venv themselves).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test package bench venv clean redrive day

venv: $(STAMP)

# (Re)install when either requirements file changed since the last install.
$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

run: $(STAMP)
	$(PY) -m chalicelib.local

# Dead letters back to their work queues on the running `make run` stack (QUEUE=jobs|uploads|webhooks).
redrive: $(STAMP)
	$(PY) -m chalicelib.local.redrive $(QUEUE)

# The warehouse day with faults on (docs/faults.md): SEED=<n> ORDERS=<n> replays one exactly.
day: $(STAMP)
	$(PY) bench/warehouse_day.py $(if $(SEED),--seed $(SEED)) $(if $(ORDERS),--orders $(ORDERS))

test: $(STAMP)
	@bash scripts/ensure-system-deps.sh
	$(PY) -m pytest -q

# Chalice template merged with infra/ into build/ (BUCKET=<name> sets the BucketName default).
package: $(STAMP)
	$(PY) scripts/package.py $(if $(BUCKET),--bucket-name $(BUCKET))

# Every bench (or ONLY=orders, ONLY=orders,uploads); their `bench:` lines go to bench/results.json.
bench: $(STAMP)
	$(PY) bench/run.py $(ONLY)

clean:
	rm -rf build .pytest_cache
