import sys

from ketascreen.cli import main

sys.exit(main())
