"""The fast path: hooks shaped by the payloads a server repeats.

A server sends one shape per type again and again (a text delta's keys, in one order, with
the same value classes; a response in two or three). The first payload of a shape compiles a
*shaped* hook, which reads it and the payloads like it: one ``itemgetter`` reads the values,
one tuple of their classes is compared with the learned one, nested models go to their own
shaped hooks, and the fields are stored. A payload of another shape goes to the next shape's
hook, learned the same way (up to ``MAX_SHAPES`` per class), then to the converter; a nested
value that does not read goes to the converter, which says where. So this is only a shortcut:
the same objects and the same errors (tests/test_serde_fast_path.py compares both on mutated
real payloads), in a third to a half of the time (``python -m benchmarks.bench_serde``,
"converter alone"). A stream whose payloads all read so never builds a cattrs hook.

A shaped hook fills an instance of a builder subclass with plain slot stores and turns it into
the class by ``__class__`` assignment, bypassing ``__init__``: no wire model may have an attrs
validator, converter or ``__attrs_post_init__`` (tests/test_serde_fast_path.py checks).
"""

from __future__ import annotations

import linecache
import operator
from collections.abc import Callable
from typing import Any, get_args

from ..types import ErrorEvent
from ..types._base import EMPTY
from .kinds import Field, is_wire_model, plan
from .leaves import KEEP
from .unions import UNKNOWN, Hook, is_tagged, tag_table

# Shapes learned per class at most: one server sends a response in two or three (created and
# in progress, completed); a class seen in more shapes than this takes the converter for the rest.
MAX_SHAPES = 8


def _converter_hook(tp: Any) -> Hook:
    from .hooks import structure_hook  # imports cattrs: on the first read, not at import

    return structure_hook(tp)


class Reader:
    """Per class or union, a cell ``[hook]`` holding its current hook, which learning replaces;
    per tagged union, a table ``{tag: cell}``."""

    def __init__(self, general: Callable[[Any], Hook] = _converter_hook) -> None:
        self._general = general
        self._cells: dict[Any, list[Hook]] = {}
        self._tables: dict[Any, dict[str, list[Hook]]] = {}
        self._fallbacks: dict[type, Hook] = {}

    def cell(self, tp: Any) -> list[Hook]:
        """``[hook]`` for ``tp``: shaped hooks call their nested models through these."""
        cell = self._cells.get(tp)
        if cell is None:
            new: list[Hook] = []
            if is_tagged(tp):
                new.append(self._dispatch(tp))
            elif is_wire_model(tp) and tp not in UNKNOWN and tp is not ErrorEvent:
                new.append(self._learner(tp, new, MAX_SHAPES))
            else:
                new.append(self._deferred(tp, new))
            cell = self._cells.setdefault(tp, new)
        return cell

    def table(self, union: Any) -> dict[str, list[Hook]]:
        """{tag: the cell of its class} of a tagged union."""
        table = self._tables.get(union)
        if table is None:
            table = {tag: self.cell(cls) for tag, cls in tag_table(union).items()}
            table = self._tables.setdefault(union, table)
        return table

    def _deferred(self, tp: Any, cell: list[Hook]) -> Hook:
        def first_use(d: Any, _: Any = None) -> Any:
            cell[0] = hook = self._general(tp)
            return hook(d)

        return first_use

    def _learner(self, cls: type, cell: list[Hook], shapes: int) -> Hook:
        """``cell[0]`` until a payload that reads has a shape: then that shape's hook, whose
        payloads of another shape go to the next learner, up to ``shapes`` payloads in all."""

        def learn(d: Any, _: Any = None) -> Any:
            nonlocal shapes
            general = self._fallback(cls)
            after: list[Hook] = [general]
            shaped = self._shaped(cls, general, after, d) if d.__class__ is dict else None
            # Read by its own shaped hook, a payload teaches its nested models their shapes at
            # once; one that does not read raises here, and teaches nothing.
            result = (shaped or general)(d)
            shapes -= 1
            if shaped is not None:
                cell[0] = shaped
                if shapes:
                    after[0] = self._learner(cls, after, shapes)
            elif not shapes:
                cell[0] = self._general(cls)
            return result

        return learn

    def _fallback(self, cls: type) -> Hook:
        """The converter's hook of ``cls``, looked up when first called: cattrs is imported,
        and the hook built, only for a payload that no shaped hook reads."""
        found = self._fallbacks.get(cls)
        if found is None:
            hook: Hook | None = None

            def general(d: Any, _: Any = None) -> Any:
                nonlocal hook
                if hook is None:
                    hook = self._general(cls)
                return hook(d)

            found = self._fallbacks.setdefault(cls, general)
        return found

    def _dispatch(self, union: Any) -> Hook:
        table = self.table(union)
        general: list[Hook] = []
        general.append(self._deferred(union, general))

        def structure(d: Any, _: Any = None) -> Any:
            try:
                cell = table[d["type"]]
            except Exception:  # no known tag, or not an object: the converter's fallbacks
                return general[0](d)
            return cell[0](d)

        return structure

    def _shape_read(self, i: int, field: Field, value: Any, ns: dict[str, Any]) -> str | None:
        """How a shaped hook reads ``value`` (in ``v{i}``) into ``field``: a statement, "" when
        the value is stored as it is, ``None`` when the converter would not store it so (an
        empty value taken, a conversion made): then the payload gives no shape."""
        kind = field.kind
        if value is None:
            return "" if field.empty is None and field.factory is None else None
        if kind == "tag":
            return "" if value.__class__ is str else None
        if kind == "any":
            return ""
        if kind in KEEP:
            return "" if value.__class__ in KEEP[kind] else None
        if value.__class__ is str and (kind.startswith("str|") or str in get_args(field.target)):
            return ""  # OpenRouter's string shortcuts, and a tool_choice of "auto"
        if kind == "model|any" and value.__class__ is not dict:
            return ""  # a field the spec leaves open: kept as sent
        ns[f"_h{i}"] = self.cell(field.target)
        if not kind.endswith("models"):
            return f"v{i} = _h{i}[0](v{i})"
        if value.__class__ is not list:
            return None
        return f"if v{i}: v{i} = _list(_map(_h{i}[0], v{i}))"

    def _shaped(
        self, cls: type, general: Hook, after: list[Hook], d: dict[str, Any]
    ) -> Hook | None:
        """A hook for payloads with ``d``'s keys and value classes, or ``None`` if ``d`` has none.

        Another shape goes to ``after[0]``; a nested value that does not read to ``general``,
        which says where.
        """
        fields = {field.key: field for field in plan(cls)}  # by wire name
        names = tuple(d)
        ns: dict[str, Any] = {}
        reads = [
            self._shape_read(i, fields[name], d[name], ns) if name in fields else ""
            for i, name in enumerate(names)
        ]
        # Unknown keys (OpenRouter's output_text on a response) are kept as sent, in order.
        extra = ", ".join(f"{name!r}: v{i}" for i, name in enumerate(names) if name not in fields)
        if None in reads:
            return None
        ns.update(
            _cls=cls,
            _builder=_builder(cls),
            _new=object.__new__,
            _EMPTY=EMPTY,
            _general=general,
            _after=after,
            _get=operator.itemgetter(*names),
            _classes=tuple(value.__class__ for value in d.values()),
            _list=list,
            _map=map,
            _type=type,
        )
        values = [f"v{i}" for i in range(len(names))]
        unpack = "(_get(d),)" if len(names) == 1 else "_get(d)"  # itemgetter of one: no tuple
        store_extra = f"{{{extra}}}" if extra else "_EMPTY"
        conversions = [f"                {read}" for read in reads if read]
        if conversions:
            conversions = [
                "            try:",
                *conversions,
                "            except Exception:",
                "                return _general(d, _t)",
            ]
        missing = []
        for i, field in enumerate(plan(cls), start=len(names)):
            if field.key in d:
                continue
            if field.factory is not None:
                ns[f"_f{i}"] = field.factory
                missing.append(f"            o.{field.name} = _f{i}()")
            else:
                ns[f"_d{i}"] = field.empty
                missing.append(f"            o.{field.name} = _d{i}")
        lines = [
            "def structure(d, _t=None):",
            f"    if len(d) == {len(names)}:",  # with every key found: no key unknown
            "        try:",
            f"            {', '.join(values)}, = {unpack}",
            "        except Exception:",
            "            return _after[0](d, _t)",
            f"        if ({''.join(f'_type({v}), ' for v in values)}) == _classes:",
            *conversions,
            "            o = _new(_builder)",
            *(
                f"            o.{fields[key].name} = v{i}"
                for i, key in enumerate(names)
                if key in fields
            ),
            *missing,
            f"            o.extra_fields = {store_extra}",
            "            o.__class__ = _cls",
            "            return o",
            "    return _after[0](d, _t)",
        ]
        fn: Hook = _compile(lines, f"<structure {cls.__qualname__} shaped>", ns)
        return fn


def _builder(cls: type) -> type:
    """A subclass of ``cls`` whose instances take plain attribute stores.

    A shaped hook fills one of these, then turns it into a ``cls`` by ``__class__`` assignment
    (allowed: the builder adds no slots, so the layout is the same). Through the frozen
    ``__setattr__``, or a slot descriptor's ``__set__``, a field costs about 6x more: for a
    delta event that was a quarter of ``parse_event``, and more of ``parse_response``.
    """
    return type(
        cls.__name__,
        (cls,),
        {
            "__slots__": (),
            # Both, so that the type's setattr slot is the generic C one (a specialised store).
            "__setattr__": object.__setattr__,
            "__delattr__": object.__delattr__,
            "__module__": __name__,
            "__qualname__": f"_builder.<{cls.__qualname__}>",
        },
    )


def _compile(lines: list[str], filename: str, ns: dict[str, Any]) -> Any:
    """Compile the one function in ``lines`` as a closure over ``ns`` (fast local lookups)."""
    body = "\n".join("    " + line for line in lines)
    source = f"def make({', '.join(ns)}):\n{body}\n    return structure\n"
    # Registered with linecache so tracebacks through generated hooks show their source.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    scope: dict[str, Any] = {}
    exec(compile(source, filename, "exec"), scope)
    return scope["make"](**ns)
