"""``python -m gdapp``: the window, or a headless ``train`` / ``dataset`` / ``gradcheck``.

A first argument that is not an option names a subcommand, so a mistyped one (``gdapp
trian``) is a usage error listing the subcommands (exit 2), never a window that opens or,
without a display, aborts. Options (``--setup FILE``, ``--self-test``, ``--version``,
``--help`` and Qt's own) go to the window.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and not args[0].startswith("-"):
        from gdapp.cli import main as cli_main

        return cli_main(args)
    from gdapp.app import main as app_main

    return app_main(args)


if __name__ == "__main__":
    raise SystemExit(main())
