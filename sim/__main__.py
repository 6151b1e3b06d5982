import gc
import sys

if __name__ == "__main__":  # python -m sim: no collection while the modules load (issue 15: start-up);
    gc.disable()  # main() freezes what was loaded out of the collector's reach and turns it back on
from sim.cli.main import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
