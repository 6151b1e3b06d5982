import gc
import os
import sys

# python -m sim (issue 15: start-up). No garbage collection while the modules load: they live as long
# as the process, and main() freezes them out of the collector's reach before turning it back on.
# OpenBLAS would start a thread per core as numpy loads (a tenth of a second on a busy 2-core machine)
# for matrix algebra that planning does not do: one thread, for this process only (the variable is
# put back before any command runs, so notebooks, workers and solvers started later get the user's).
if __name__ == "__main__":
    gc.disable()
    _BLAS = "OPENBLAS_NUM_THREADS"
    _blas_set = _BLAS not in os.environ
    if _blas_set:
        os.environ[_BLAS] = "1"
from sim.cli.main import main  # noqa: E402

if __name__ == "__main__":
    if _blas_set:
        del os.environ[_BLAS]
    sys.exit(main())
