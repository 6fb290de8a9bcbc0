# Two commands on a fresh machine: `make demo` and `make test`. Each installs what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test install docs clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# grafana-client's HTTP stack (niquests) needs urllib3-future, whose wheel overwrites the real
	# urllib3 that requests (Locust, schemathesis) relies on; built from source with this switch it
	# installs beside it instead (the fork's documented way).
	URLLIB3_NO_OVERRIDE=1 $(BIN)/python -m pip install --quiet --no-binary urllib3-future -e ".[test,docs]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/peakload run double11-smoke

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The manual as a site, into site/; strict: a broken link or anchor fails it. The command reference
# is generated from the CLI as it builds (docs/hooks.py).
docs: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

clean:
	rm -rf $(VENV) reports/out .pytest_cache site
