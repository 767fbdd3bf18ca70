# Two commands do everything:  `make run` (set up + start the app)  and  `make test` (set up + test).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export TOKENIZERS_PARALLELISM := false

.PHONY: run test venv lint bench prepare screenshots clean

$(STAMP): requirements.txt requirements-nodeps.txt
	@$(PYTHON) -c "import sys; assert sys.version_info[:2] == (3, 11), sys.version" || { echo "Python 3.11 is needed: make PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-nodeps.txt
	touch $(STAMP)

venv: $(STAMP)

# `prepare` first: it trains the default models the pages would otherwise train on a first click
# (a few minutes once; later runs find them ready and start at once). A model that fails to build
# does not stop the app: its page builds it on first use instead ("-" ignores the exit status).
# ui.serve is `streamlit run app.py` that also loads the shared models as the server starts (ui/warmup.py).
run: $(STAMP)
	-$(BIN)/python -m dl_core prepare
	$(BIN)/python -m ui.serve --server.address 127.0.0.1 --server.port 8501

# Two pytest workers (pytest-xdist), one thread each: on 2 cores the suite takes ~10 minutes instead of
# ~15-16. --dist loadfile keeps each test file on one worker, so module fixtures run once and in order.
TEST_WORKERS ?= 2
test: $(STAMP)
	$(BIN)/ruff check .
	# One thread per process: steadiest on small shared CI machines (the app itself picks its own).
	OMP_NUM_THREADS=$${OMP_NUM_THREADS:-1} $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

prepare: $(STAMP)
	$(BIN)/python -m dl_core prepare

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	for f in bench/bench_*.py; do echo "== $$f"; PYTHONPATH=. $(BIN)/python $$f || exit 1; done

screenshots: $(STAMP)
	$(BIN)/python ../shared/tools/screenshot_pages.py --out shots

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
