import os
import sys

# The module is built under <build>/python; `make test` sets PYTHONPATH, this is the fallback.
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
build_python = os.path.join(ROOT, "build", "python")
if build_python not in sys.path and os.path.isdir(build_python):
    sys.path.insert(0, build_python)

DATA_DIR = os.path.join(ROOT, "data")
