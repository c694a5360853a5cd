PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv demo test lint typecheck unit clean bench train-injection

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/wardgate demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python bench/proxy_overhead.py

# Retrain the prompt-injection model from ../shared/datasets (train splits only); see training/injection/MODEL_CARD.md.
train-injection: $(STAMP)
	$(BIN)/pip install --quiet -c constraints.txt scikit-learn
	$(BIN)/python training/injection/train.py --datasets ../shared/datasets/injection --out src/wardgate/scanners/injection/model.npz

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
