import gc
import sys

gc.disable()  # no collection while the modules load: they live as long as the process (issue 15: start-up)
from sim.cli.main import main  # noqa: E402  (main freezes what was loaded and turns the collector back on)

if __name__ == "__main__":
    sys.exit(main())
