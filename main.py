"""Start Gradient Descent Lab from a source checkout: ``python main.py``."""

from gdapp.app import main

if __name__ == "__main__":
    raise SystemExit(main())
