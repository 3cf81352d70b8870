# Accueil — everything set-up goes through here, so a fresh Debian/Ubuntu machine needs only
# `make demo` (run the kiosk on the bundled demo event) or `make test` (run the tests).

VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo demo-camera test system install lint bench clean

demo: install  ## set up everything and start the kiosk on the demo event
	$(VENV)/bin/accueil setup --demo-pins
	$(VENV)/bin/accueil run

demo-camera: install  ## the demo kiosk reading a generated camera video instead of a webcam
	$(VENV)/bin/accueil setup --demo-pins
	$(PY) demo/make_video.py data/demo-camera.avi
	$(VENV)/bin/accueil run --camera data/demo-camera.avi

test: install  ## set up everything and run linters and the whole test suite
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy kiosk/core
	$(PY) -m pytest

system:  ## Debian packages listed in scripts/apt-packages.txt, installed when missing
	@missing=$$(for p in $$(grep -v '^\s*#' scripts/apt-packages.txt); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:" $$missing; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

install: system $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

bench: install  ## run every benchmark (figures go to stdout)
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
