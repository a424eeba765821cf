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
  pydantic plugins: about 13 ms per command. commentkit uses none. :func:`start` adds an import
  hook that supplies pydantic's plugin loader as "no plugins", which is what
  ``PYDANTIC_DISABLE_PLUGINS=__all__`` means, without the import. ``COMMENTKIT_PYDANTIC_PLUGINS=1``
  restores pydantic's own loader; if a future pydantic asks the loader for anything else, the
  real module is loaded on demand.
"""

from __future__ import annotations

import gc
import os
import sys
import types

_LOADER = "pydantic.plugin._loader"


def start() -> None:
    gc.set_threshold(200_000, 30, 30)
    if not os.environ.get("COMMENTKIT_PYDANTIC_PLUGINS") and _NoPydanticPlugins not in sys.meta_path:
        sys.meta_path.insert(0, _NoPydanticPlugins)


def finish() -> None:
    gc.freeze()


class _NoPydanticPlugins:
    """Import hook that supplies pydantic's plugin loader module as "no plugins"."""

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name != _LOADER:
            return None
        from importlib.machinery import ModuleSpec

        return ModuleSpec(name, cls)

    @staticmethod
    def create_module(spec):
        return None  # the default module object

    @staticmethod
    def exec_module(module: types.ModuleType) -> None:
        module.get_plugins = _no_plugins
        module.__getattr__ = _real_loader_attribute


def _no_plugins() -> tuple:
    return ()


def _real_loader_attribute(name: str):
    """Anything else pydantic may ask the loader for comes from its real module."""
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
