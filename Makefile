PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint structure format bench screenshots clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/convene migrate
	$(BIN)/convene demo
	$(BIN)/convene serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

structure: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit/test_structure.py

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/slots.py
	$(BIN)/python benchmarks/service_slots_query.py
	$(BIN)/python benchmarks/messages.py
	$(BIN)/python benchmarks/slack_ack.py
	$(BIN)/python benchmarks/idle_sockets.py

screenshots: $(STAMP)
	$(BIN)/python docs/screenshots.py

clean:
	rm -rf $(VENV) var .pytest_cache
