"""Start Gradient Descent Lab from a source checkout: ``python main.py`` (the window), or
``python main.py train ...`` and the other headless subcommands. The packaged app starts here too.
"""

from gdapp.__main__ import main

if __name__ == "__main__":
    raise SystemExit(main())
