# Two commands for a fresh machine (Python 3.11 + pip, node/npm and apt available):
#   make run    install everything, then serve on http://127.0.0.1:8000 (SQLite, demo election)
#   make test   install everything, then run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install lint kernel

# The native verification kernel (crypto/kernel.py loads it; without it the PyNaCl path runs).
# Needs Debian's golang-go and golang-filippo-edwards25519-dev; skipped when Go is absent.
KERNEL_SO := crypto/libscrutin_kernel.so
$(KERNEL_SO): kernel/kernel.go
	cd kernel && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE=$${GOCACHE:-/tmp/scrutin-gocache} \
		go build -buildmode=c-shared -o ../$(KERNEL_SO) .
	rm -f crypto/libscrutin_kernel.h

kernel: $(KERNEL_SO)

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

install: $(BIN)/.installed
	if command -v go >/dev/null && [ -d /usr/share/gocode/src/filippo.io/edwards25519 ]; then $(MAKE) kernel; fi

run: install
	$(BIN)/scrutin serve --host 127.0.0.1 --port 8000

test: install
	if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy crypto
