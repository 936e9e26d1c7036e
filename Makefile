# Two commands for a fresh machine (Python 3.11 + pip, node/npm and apt available):
#   make run    install everything, then serve on http://127.0.0.1:8000 (SQLite, demo election)
#   make test   install everything, then run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install lint kernel lock

# The native verification kernel (crypto/kernel.py loads it; without it the PyNaCl path runs).
# Needs Debian's golang-go and golang-filippo-edwards25519-dev; skipped when Go is absent.
KERNEL_SO := crypto/libscrutin_kernel.so
$(KERNEL_SO): kernel/kernel.go
	cd kernel && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE=$${GOCACHE:-/tmp/scrutin-gocache} \
		go build -buildmode=c-shared -o ../$(KERNEL_SO) .
	rm -f crypto/libscrutin_kernel.h

kernel: $(KERNEL_SO)

# Dependencies come from the lock (requirements/*.lock, pinned with hashes); the project itself
# is installed on top without resolving anything again. `make lock` regenerates the locks after
# a change to pyproject.toml (tests/foundation/test_lock.py fails until it is run).
$(BIN)/.installed: pyproject.toml requirements/dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q --require-hashes -r requirements/dev.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

PIP_COMPILE := $(VENV)/lock-tools/bin/pip-compile
LOCK_FLAGS := --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links
lock:
	[ -x $(PIP_COMPILE) ] || { $(PYTHON) -m venv $(VENV)/lock-tools && $(VENV)/lock-tools/bin/pip install -q pip-tools==7.6.2; }
	$(PIP_COMPILE) $(LOCK_FLAGS) -o requirements/runtime.lock pyproject.toml
	$(PIP_COMPILE) $(LOCK_FLAGS) --extra dev -o requirements/dev.lock pyproject.toml

install: $(BIN)/.installed
	if command -v go >/dev/null && [ -d /usr/share/gocode/src/filippo.io/edwards25519 ]; then $(MAKE) kernel; fi

run: install
	$(BIN)/scrutin serve --host 127.0.0.1 --port 8000

test: install
	if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The gate CI runs before the suite: ruff, mypy (crypto/ strict, app/ and admin_ui/ on mypy's
# default rules; pyproject.toml), the import contracts (pyproject.toml [tool.importlinter]).
lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy crypto
	$(BIN)/mypy app admin_ui
	$(BIN)/lint-imports
