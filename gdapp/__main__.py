"""``python -m gdapp``: the window, or a headless ``train`` / ``dataset`` / ``gradcheck``."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    from gdapp.cli import SUBCOMMANDS

    if args and args[0] in SUBCOMMANDS:
        from gdapp.cli import main as cli_main

        return cli_main(args)
    from gdapp.app import main as app_main

    return app_main(args)


if __name__ == "__main__":
    raise SystemExit(main())
