# The Python module (crates/python, import blooio_native).
#
#   make test-python   build and install it into a venv the way a user would
#                      (pip install ./crates/python: maturin from PyPI, a release abi3 wheel),
#                      check its stubs, type-check the example, run tests/python against the
#                      emulator (the soak included)
#   make soak-python   the soak of issue 7.4 alone (8 threads x 2,000 requests)
#
# Tool versions are pinned in tests/python/requirements.txt; maturin's range in
# crates/python/pyproject.toml.

PY_VENV := $(CARGO_TARGET_DIR)/venv
PY_VENV_PYTHON := $(PY_VENV)/bin/python
PY_REQUIREMENTS := tests/python/requirements.txt
PYTEST_ARGS ?=

TEST_TARGETS += test-python

.PHONY: python-venv python-install python-emulator python-stubtest test-python soak-python

# Re-created when the pinned tools change.
$(PY_VENV)/.requirements: $(PY_REQUIREMENTS)
	$(PYTHON) -m venv $(PY_VENV)
	$(PY_VENV_PYTHON) -m pip install --quiet --disable-pip-version-check -r $(PY_REQUIREMENTS)
	touch $@

python-venv: $(PY_VENV)/.requirements

# Always reinstalled: cargo makes an unchanged rebuild quick, and a stale module is worse.
python-install: python-venv
	$(PY_VENV_PYTHON) -m pip install --disable-pip-version-check --force-reinstall --no-deps ./crates/python

python-emulator:
	$(CARGO) build -p blooio-emulator --bin blooio-emulator

python-stubtest: python-install
	cd $(PY_VENV) && bin/python -m mypy.stubtest blooio_native
	$(PY_VENV_PYTHON) -m mypy --strict --cache-dir $(PY_VENV)/.mypy_cache examples/python/main.py

test-python: python-stubtest python-emulator
	BLOOIO_EMULATOR=$(EMULATOR) tests/tls/with-tls.sh $(EMULATOR) $(PY_VENV_PYTHON) -m pytest tests/python $(PYTEST_ARGS)

soak-python: python-install python-emulator
	BLOOIO_EMULATOR=$(EMULATOR) $(PY_VENV_PYTHON) -m pytest tests/python/test_soak.py -s $(PYTEST_ARGS)
