import os
import sys

# The module is built under <build>/python; `make test` sets PYTHONPATH, this is the fallback.
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
build_python = os.path.join(ROOT, "build", "python")
if build_python not in sys.path and os.path.isdir(build_python):
    sys.path.append(build_python)  # after PYTHONPATH, so that `make test BUILD=…` tests its own build

DATA_DIR = os.path.join(ROOT, "data")
