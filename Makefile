# Two entry points for a fresh Debian machine: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_RUN := python3 python3-venv python3-pip libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 \
	libfontconfig1 libdbus-1-3 fonts-dejavu-core libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0
APT_TEST := libimage-exiftool-perl rclone xvfb xauth exiv2 desktop-file-utils appstream librsvg2-bin chromium b3sum

.PHONY: run test deps-run deps-test lint bench clean icons bundle

$(VENV)/.installed-run: pyproject.toml
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_RUN)
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed-run
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_TEST)
	$(PY) -m pip install -q -e '.[test]'
	touch $@

deps-run: $(VENV)/.installed-run
deps-test: $(VENV)/.installed-test

run: deps-run
	$(VENV)/bin/photoarchive gui

test: deps-test
	$(VENV)/bin/ruff check photoarchive tests
	$(VENV)/bin/ruff format --check photoarchive tests
	$(VENV)/bin/lint-imports
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -p no:cacheprovider

bench: deps-test
	$(PY) tests/bench/bench_import.py

# One-folder Linux bundle in dist/photoarchive/ (packaging/README.md), then its own test.
bundle: deps-test
	$(PY) -m pip install -q -e '.[bundle]'
	$(VENV)/bin/pyinstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller \
		packaging/pyinstaller/photoarchive.spec
	PHOTOARCHIVE_BUNDLE=$(CURDIR)/dist/photoarchive/photoarchive QT_QPA_PLATFORM=offscreen \
		$(PY) -m pytest -p no:cacheprovider -m bundle tests/test_bundle.py

clean:
	rm -rf $(VENV) build dist *.egg-info

# The hicolor PNGs are committed; after changing resources/icons/app.svg re-render them.
ICON_SVG := resources/icons/app.svg
icons:
	cp $(ICON_SVG) packaging/icons/hicolor/scalable/apps/io.github.photoarchive.svg
	for s in 16 22 24 32 48 64 128 256 512; do \
		mkdir -p packaging/icons/hicolor/$${s}x$${s}/apps; \
		rsvg-convert -w $$s -h $$s $(ICON_SVG) \
			-o packaging/icons/hicolor/$${s}x$${s}/apps/io.github.photoarchive.png; \
	done
