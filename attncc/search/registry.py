"""Which targets a tuning study may name, and how another process builds the same one.

A study records its target as a *name* and *options*: the user attributes ``target`` (a
name) and ``target_options`` (a JSON object of constructor arguments: ``{"arch": "sm_80"}``
for ``CudaTarget("sm_80")``, ``{"f16": false}`` for ``WebGpuTarget(f16=False)``, ``{}`` for
the CPU). A name resolves only through a registry -- attncc's own targets
(:data:`attncc.targets.TARGETS`) and those registered with :func:`register_target` in this
process -- and options are checked against the constructor's signature (parameter names,
JSON scalars of the annotated types) before it is called. Nothing read from a tuning
database is ever imported: an unknown name or a bad option is a :class:`TuningError`.

Registrations live in the process that made them (a hostile database cannot add one). The
processes it starts to tune -- measurement processes and ``--workers`` helpers -- receive
them from it (:func:`registrations` there, :func:`adopt` here), never from a database.

Options are read back from a target instance by :func:`target_options`: every constructor
parameter must be kept as an attribute of the same name (``CudaTarget.arch``,
``WebGpuTarget.f16``), so that the target rebuilt elsewhere is the one that was tuned.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import types
import typing
from collections.abc import Mapping
from typing import Any

from attncc.errors import AttnccError
from attncc.errors import TuningError
from attncc.targets import TARGETS
from attncc.targets import get_target
from attncc.targets.base import Target

__all__ = [
    "adopt",
    "known_targets",
    "register_target",
    "registrations",
    "resolve_target",
    "target_options",
    "target_spec",
]

#: Targets registered in this process: name → class.
_REGISTERED: dict[str, type[Target]] = {}
#: Targets built from (name, options): one instance each, like attncc.targets.get_target.
_BUILT: dict[tuple[str, str], Target] = {}

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_JSON_SCALARS = (str, int, float, bool, type(None))


def _builtin() -> dict[str, str]:
    return dict(TARGETS)


def known_targets() -> list[str]:
    """Every name a study may give as its target, sorted."""
    return sorted({*_builtin(), *_REGISTERED})


def register_target(cls: type[Target]) -> str:
    """Let tuning studies name ``cls`` by its ``name`` in this process (and in the processes
    it starts to measure and to tune); returns the name.

    ``cls`` must be importable by its module path (defined at the top level of a module
    other than ``__main__``): measurement processes import it from there. Registering the
    same class twice is harmless; another class under a taken name is a :class:`TuningError`.
    """
    if not (isinstance(cls, type) and issubclass(cls, Target)):
        raise TuningError(f"register_target takes a Target subclass, got {cls!r}")
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not _NAME.match(name):
        raise TuningError(
            f"target class {cls.__qualname__} has name {name!r}; a registered target needs a "
            "name of letters, digits and underscores (class attribute `name`)"
        )
    builtin = _builtin()
    if name in builtin and builtin[name] != _path(cls):
        raise TuningError(
            f"target name {name!r} is attncc's own ({builtin[name]}); give {cls.__qualname__} "
            "another name"
        )
    if name in _REGISTERED and _REGISTERED[name] is not cls:
        raise TuningError(
            f"target name {name!r} is already registered for {_path(_REGISTERED[name])}; "
            f"give {cls.__qualname__} another name"
        )
    if cls.__module__ == "__main__" or "<locals>" in cls.__qualname__:
        raise TuningError(
            f"target class {cls.__qualname__} is defined in {cls.__module__}, where the "
            "measurement processes cannot import it from. Fix: define it at the top level "
            "of an importable module"
        )
    if name not in builtin:
        _REGISTERED[name] = cls
    return name


def registrations() -> dict[str, str]:
    """This process's registered targets as ``name → module:Class``, to hand to a process
    it starts (which calls :func:`adopt` with them)."""
    return {name: _path(cls) for name, cls in _REGISTERED.items()}


def adopt(paths: Mapping[str, str]) -> None:
    """Register the targets a parent process handed over (:func:`registrations`). Only for
    what the process that started this one passes on its command line or pipe: never for
    anything read from a tuning database."""
    for name, path in paths.items():
        module_name, _, qualname = path.partition(":")
        try:
            obj: Any = importlib.import_module(module_name)
            for part in qualname.split("."):
                obj = getattr(obj, part)
        except (ImportError, AttributeError) as e:
            raise TuningError(f"cannot load the registered target {name} ({path}): {e}") from None
        if register_target(obj) != name:
            raise TuningError(f"{path} is registered as {name!r} but is named {obj.name!r}")


def _path(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _class(name: str) -> type[Target]:
    if name in _REGISTERED:
        return _REGISTERED[name]
    module_name, _, cls_name = _builtin()[name].partition(":")
    return getattr(importlib.import_module(module_name), cls_name)


def target_spec(target: Target) -> str:
    """The name another process resolves ``target``'s class by (with
    :func:`target_options`); :class:`TuningError` when its class is not the one registered
    under its name (register it with :func:`register_target`)."""
    name = getattr(target, "name", None)
    if not isinstance(name, str) or name not in known_targets():
        raise TuningError(
            f"target {name!r} ({_path(type(target))}) is not registered, so a tuning study "
            f"cannot name it; registered targets: {', '.join(known_targets())}. Fix: call "
            "attncc.search.registry.register_target(YourTarget) before tuning"
        )
    if type(target) is not _class(name):
        raise TuningError(
            f"target {_path(type(target))} calls itself {name!r}, but that name is registered "
            f"for {_path(_class(name))}. Fix: give the class a name of its own and register "
            "it with attncc.search.registry.register_target"
        )
    return name


def target_options(target: Target) -> dict[str, Any]:
    """The constructor arguments that rebuild ``target``: each parameter of its class's
    constructor, read from the attribute of the same name (JSON scalars only)."""
    options: dict[str, Any] = {}
    for p in _parameters(type(target)).values():
        if not hasattr(target, p.name):
            raise TuningError(
                f"target {target.name} cannot be named in a tuning study: its constructor "
                f"argument {p.name!r} is not kept as an attribute of the same name"
            )
        value = getattr(target, p.name)
        if not isinstance(value, _JSON_SCALARS):
            raise TuningError(
                f"target {target.name} cannot be named in a tuning study: its option "
                f"{p.name}={value!r} is not a JSON scalar (str, number, bool or null)"
            )
        options[p.name] = value
    return options


def resolve_target(name: Any, options: Any = None) -> Target:
    """The registered target ``name`` built with ``options`` (constructor arguments, checked
    against its signature first); :class:`TuningError` for anything else. One instance per
    name and options."""
    known = known_targets()
    if not isinstance(name, str) or name not in known:
        raise TuningError(
            f"unknown target {name!r}: a tuning study names its target from the registry "
            f"({', '.join(known)}), never by an import path. Fix: use one of those names, or "
            "register your own with attncc.search.registry.register_target"
        )
    if options is None:
        options = {}
    if not isinstance(options, Mapping):
        raise TuningError(
            f"options of target {name} must be a JSON object of constructor arguments, got "
            f"{options!r}"
        )
    options = dict(options)
    key = (name, json.dumps(options, sort_keys=True, default=repr))
    if key in _BUILT:
        return _BUILT[key]
    cls = _class(name)
    _check_options(name, cls, options)
    if not options and name in _builtin():
        target = get_target(name)
    else:
        try:
            target = cls(**options)
        except AttnccError:
            raise
        except Exception as e:
            raise TuningError(
                f"target {name} with options {options} failed to start: {type(e).__name__}: {e}"
            ) from None
    _BUILT[key] = target
    return target


def _parameters(cls: type) -> dict[str, inspect.Parameter]:
    try:
        signature = inspect.signature(cls)
    except (TypeError, ValueError):
        return {}
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return {p.name: p for p in signature.parameters.values() if p.kind in kinds}


def _check_options(name: str, cls: type, options: dict[str, Any]) -> None:
    accepted = _parameters(cls)
    unknown = sorted(k for k in options if k not in accepted)
    if unknown:
        takes = ", ".join(accepted) or "no options"
        raise TuningError(
            f"target {name} has no option {', '.join(map(repr, unknown))}; it takes {takes}"
        )
    try:
        hints = typing.get_type_hints(cls.__init__)
    except Exception:  # unresolvable annotations: the names were checked, values are JSON
        hints = {}
    for key, value in options.items():
        if not isinstance(value, _JSON_SCALARS):
            raise TuningError(
                f"option {key} of target {name} must be a JSON scalar (str, number, bool or "
                f"null), got {value!r}"
            )
        hint = hints.get(key)
        if hint is not None and not _accepts(hint, value):
            raise TuningError(
                f"option {key} of target {name} takes {_show(hint)}, got {value!r} "
                f"({type(value).__name__})"
            )
    missing = [p.name for p in accepted.values() if p.default is p.empty and p.name not in options]
    if missing:
        raise TuningError(f"target {name} needs the option(s) {', '.join(missing)}")


def _accepts(hint: Any, value: Any) -> bool:
    """Whether a JSON scalar fits an annotation (unions, Optional, Literal, bool ≠ int)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_accepts(a, value) for a in typing.get_args(hint))
    if origin is typing.Literal:
        return any(value == a and type(value) is type(a) for a in typing.get_args(hint))
    if hint is Any:
        return True
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(hint, type):
        return isinstance(value, hint)
    return True  # an annotation a JSON scalar cannot be checked against: the call decides


def _show(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint).replace("NoneType", "None")
