#!/usr/bin/env python3
"""Run flake8 with some installed plugins left out (or only some kept).

    python benchmarks/flake8_plugins.py --without=flake8-ssot,flake8-tidy-imports -- FLAKE8 ARGS...
    python benchmarks/flake8_plugins.py --only=flake8-ssot -- FLAKE8 ARGS...
    python benchmarks/flake8_plugins.py --without=flake8-ssot --control -- FLAKE8 ARGS...
    python benchmarks/flake8_plugins.py --list

flake8 runs every installed checker plugin whatever `--select` says (selection only
filters what is reported), so timing "flake8 with and without our plugin" needs the
plugin really absent. This wraps flake8's plugin discovery
(`flake8.plugins.finder.find_plugins`, which `flake8.options.parse_args` looks up at
call time) and drops the named distributions; reporters are always kept. Names are
distribution names as flake8 records them (`pyflakes`, `pycodestyle`, `mccabe`,
`flake8-ssot`, `flake8-tidy-imports`, ...). `--control` adds `DoNothing`, an AST plugin that
asks for what ours asks (tree, filename, lines) and reports nothing: what flake8 itself
charges for one more plugin, which no plugin can avoid.
"""

from __future__ import annotations

import sys


class DoNothing:
    """The control plugin: flake8's per-plugin cost (loading it, building and calling it for
    every file) with no work of its own."""

    name = "do-nothing-control"
    version = "0"

    def __init__(self, tree, filename, lines) -> None:  # type: ignore[no-untyped-def]
        pass

    def run(self):  # type: ignore[no-untyped-def]
        return iter(())


def _names(value: str) -> set[str]:
    return {name.strip().lower().replace("_", "-") for name in value.split(",") if name.strip()}


def main(argv: list[str]) -> int:
    without: set[str] = set()
    only: set[str] | None = None
    listing = False
    control = False
    while argv and argv[0].startswith("--"):
        option = argv.pop(0)
        if option == "--":
            break
        if option.startswith("--without="):
            without |= _names(option.split("=", 1)[1])
        elif option.startswith("--only="):
            only = _names(option.split("=", 1)[1])
        elif option == "--list":
            listing = True
        elif option == "--control":
            control = True
        else:
            print(f"flake8_plugins.py: unknown option {option}", file=sys.stderr)
            return 2

    from flake8.plugins import finder

    original = finder.find_plugins

    def find_plugins(cfg, opts):  # type: ignore[no-untyped-def]
        kept = []
        for plugin in original(cfg, opts):
            package = plugin.package.lower().replace("_", "-")
            if plugin.entry_point.group == "flake8.report":
                kept.append(plugin)
            elif package in without:
                continue
            elif only is not None and package not in only:
                continue
            else:
                kept.append(plugin)
        if control:
            from importlib.metadata import EntryPoint

            point = EntryPoint(name="XDN", value="flake8_plugins:DoNothing", group="flake8.extension")
            kept.append(finder.Plugin("do-nothing-control", "0", point))
        return kept

    if listing:
        import configparser

        plugins = find_plugins(configparser.RawConfigParser(), finder.PluginOptions.blank())
        for plugin in plugins:
            if plugin.entry_point.group == "flake8.extension":
                print(f"{plugin.package} {plugin.version} {plugin.entry_point.name}")
        return 0

    finder.find_plugins = find_plugins
    from flake8.main.cli import main as flake8_main

    return int(flake8_main(argv) or 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
