# The two commands of the README: `make demo` and `make test`. Each one does all set-up itself.
BUILD  ?= build
PYTHON ?= /usr/bin/python3
JOBS   ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all bootstrap configure build test demo bench clean

all: build

bootstrap:
	@bash scripts/bootstrap.sh

# Python extension modules are built for, and tested with, Debian's interpreter (/usr/bin/python3),
# where python3-numpy, python3-pytest … live; a python3 earlier on PATH is not used.
configure: bootstrap
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DMTMATCH_WERROR=ON \
	  -DPython_EXECUTABLE=$(PYTHON) $(CMAKE_FLAGS) > $(BUILD).configure.log 2>&1 \
	  || { cat $(BUILD).configure.log; exit 1; }

build: configure
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	PYTHONPATH=$(BUILD)/python $(PYTHON) -m pytest -q tests/python

demo: build
	@bash scripts/demo.sh $(BUILD)

bench: build
	@for b in $(BUILD)/bin/bench_*; do echo "== $$b"; $$b; done

clean:
	rm -rf $(BUILD) $(BUILD).configure.log
