# Accueil — everything set-up goes through here, so a fresh Debian/Ubuntu machine needs only
# `make demo` (run the kiosk on the bundled demo event) or `make test` (run the tests).

VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed

.PHONY: demo demo-camera test snapshots system install catalogues lock bench clean

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
	$(VENV)/bin/mypy kiosk/services kiosk/ui sync/wire.py  # strict on services and the wire (pyproject.toml), checked on the UI
	$(PY) -m pytest

# After a change of words or layout: redraw every screen's SVG (tests/ui/__snapshots__/),
# then look at the report of what changed before committing them.
snapshots: install  ## redraw the screen snapshots (fr, en, ar at 80x24 and 160x48)
	$(PY) -m pytest tests/ui/test_snapshots.py --snapshot-update -q

system:  ## Debian packages listed in scripts/apt-packages.txt, installed when missing
	bash scripts/apt-install.sh

install: system $(STAMP) catalogues

# Compiled gettext catalogues (.mo, not in git) for installs without Babel; with Babel
# (every make install) the kiosk reads the .po files directly, so they are never stale.
catalogues: $(STAMP)  ## compile kiosk/locale/*/LC_MESSAGES/accueil.po into .mo files
	$(VENV)/bin/pybabel compile --statistics -D accueil -d kiosk/locale

# The exact versions CI tested (requirements.lock) as constraints: an event-day install gets
# what was tested, not whatever PyPI serves that morning.
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade 'pip>=24'
	$(PY) -m pip install -q -c requirements.lock -e '.[all,dev]'
	touch $(STAMP)

lock:  ## resolve the newest versions pyproject.toml allows, in a scratch venv, into requirements.lock
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install -q --upgrade 'pip>=24'
	.venv-lock/bin/python -m pip install -q -e '.[all,dev]'
	( echo "# make lock: every package make install takes, at the version the tests passed with."; \
	  .venv-lock/bin/python -m pip freeze --exclude-editable ) > requirements.lock
	rm -rf .venv-lock

bench: install  ## run every benchmark (figures go to stdout)
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
