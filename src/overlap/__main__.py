"""``python -m overlap``: the command line."""
from .cli import main

raise SystemExit(main())
