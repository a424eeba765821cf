"""Process settings for one ``commentkit`` command (the console entry point only; tests and
library callers that use :data:`commentkit.cli.cli` directly keep Python's defaults).

A command is short-lived: it imports click, pydantic and its models, reads a project and exits.
Two things Python does by default cost more than the work itself (measured with
``bench/run.py``; figures in docs/benchmarks.md):

* **The cyclic garbage collector.** Imports create hundreds of thousands of long-lived objects
  (classes, functions, pydantic schemas); with the default threshold of 700 allocations the
  collector rescans them over and over. :func:`start` raises the first-generation threshold
  (as mypy does), so cycles are still collected, only less often. :func:`finish` freezes what
  is left when the command ends, so the interpreter's shutdown does not walk every object again
  (40-90 ms for ``build``). Files, atexit handlers and standard streams are closed as usual.
* **pydantic's plugin discovery.** When the first model is validated, pydantic imports
  ``importlib.metadata`` (which pulls in the ``email`` package) to look for third-party
  pydantic plugins: about 13 ms per command. commentkit uses none. :func:`start` registers the
  plugin loader as "no plugins", which is what ``PYDANTIC_DISABLE_PLUGINS=__all__`` means,
  without the import. ``COMMENTKIT_PYDANTIC_PLUGINS=1`` restores pydantic's own loader; if a
  future pydantic asks the loader for anything else, the real module is loaded on demand.
"""

from __future__ import annotations

import gc
import os
import sys
import types

_LOADER = "pydantic.plugin._loader"


def start() -> None:
    gc.set_threshold(200_000, 30, 30)
    if not os.environ.get("COMMENTKIT_PYDANTIC_PLUGINS") and _LOADER not in sys.modules:
        sys.modules[_LOADER] = _no_plugins_loader()


def finish() -> None:
    gc.freeze()


def _no_plugins_loader() -> types.ModuleType:
    mod = types.ModuleType(_LOADER, "commentkit: no pydantic plugins (see commentkit.cli.runtime)")

    def get_plugins() -> tuple:
        return ()

    def __getattr__(name: str):  # anything else pydantic may ask for: its real loader
        if name.startswith("__"):  # the import system probing (__path__, ...)
            raise AttributeError(name)
        import importlib.util
        from pathlib import Path

        import pydantic.plugin

        spec = importlib.util.spec_from_file_location(_LOADER + "_real",
                                                      Path(pydantic.plugin.__file__).with_name("_loader.py"))
        real = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(real)
        return getattr(real, name)

    mod.get_plugins = get_plugins
    mod.__getattr__ = __getattr__
    return mod
