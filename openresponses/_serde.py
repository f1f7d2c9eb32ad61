"""The one cattrs converter: read any real server leniently, write strictly.

Reading (``structure``): missing keys and ``null`` take the field default, integral floats in
int fields become ints, unknown keys go to ``extra_fields``, unknown tagged types become
``Unknown*`` objects holding the raw mapping. Writing (``unstructure``): ``None`` is omitted,
the tag is always written, ``extra_fields`` are merged under the declared fields and
``Unknown*`` objects give back their raw mapping unchanged.

The per-class hooks are generated here (one small function per class) and registered on the
cattrs converter as hook factories. cattrs' own generated hooks cannot fall back on missing
required keys nor collect extra keys, and they cost about twice as much per event; see
benchmarks/bench_serde.py. Each hook is compiled on the first use of its class and cached (a
tagged union's table holds a stand-in per tag until then): compiling all ~130 at import cost
more than importing aiohttp, and a program reads a handful of them. cattrs itself is imported
only when ``structure`` meets a type that is not ours (``list[Item]``, ``dict[str, ...]``).

Servers send one shape per type again and again (a text delta's keys, in one order, with the
same value classes). The first payload of a class or a tag therefore also compiles a *shaped*
hook (``_shaped``) that reads a payload of that shape with one ``itemgetter``, one tuple
comparison and the stores, and hands anything else to the general hook: the same objects and
errors, in half the steps (tests/test_serde_shaped.py compares the two).

Normalisations a round trip makes (documented, tested): explicit ``null`` values are dropped;
a missing field that has a non-None default (``OutputText.annotations``, ``Message.content``,
``InputImage.detail``, the ``type`` tag, ...) is written with that default; a bare OpenRouter
error frame gains ``"type": "error"``; integral floats in int fields are written as ints.
"""

from __future__ import annotations

import linecache
import operator
import sys
import types
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, Literal, TypeVar, Union, get_args, get_origin

import attrs
import orjson

from ._errors import InvalidRequestError, ResponseValidationError
from .types import (
    SERVER_TOOL_ITEM_TYPES,
    Annotation,
    ContentPart,
    ErrorEvent,
    FileParserPlugin,
    Item,
    ItemReference,
    Message,
    Plugin,
    PluginConfig,
    Response,
    ServerToolCall,
    StreamEvent,
    TextFormat,
    Tool,
    ToolChoice,
    ToolChoiceAllowed,
    ToolChoiceFunction,
    ToolChoiceTool,
    UnknownAnnotation,
    UnknownContent,
    UnknownEvent,
    UnknownFormat,
    UnknownItem,
    UnknownTool,
    WebPlugin,
)
from .types._base import EMPTY

if TYPE_CHECKING:
    from cattrs import Converter

# ``converter`` (the cattrs converter) is also importable: built on first access, see __getattr__.
__all__ = [
    "dumps",
    "loads",
    "parse_event",
    "parse_response",
    "structure",
    "unstructure",
]

T = TypeVar("T")
Hook = Callable[..., Any]

_new = object.__new__
_FACTORY: Any = type(attrs.Factory(list))
_UNKNOWN_CLASSES = (
    UnknownEvent,
    UnknownItem,
    UnknownContent,
    UnknownAnnotation,
    UnknownTool,
    UnknownFormat,
)


# -- errors: a reversed path of segments, turned into "$.output[2].content[0]" at the top


class _ReadError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.segments: list[str | int] = []


def _at(exc: BaseException, segment: str | int) -> _ReadError:
    if not isinstance(exc, _ReadError):
        exc = _ReadError(_describe(exc))
    exc.segments.append(segment)
    return exc


def _describe(exc: BaseException) -> str:
    if _CONVERTER:  # only then can a stock cattrs hook (containers we do not own) have raised
        from cattrs import transform_error
        from cattrs.errors import BaseValidationError

        if isinstance(exc, BaseValidationError):
            return "; ".join(transform_error(exc))
    return f"{type(exc).__name__}: {exc}"


def _format_path(segments: list[str | int]) -> str:
    parts = (f"[{s}]" if isinstance(s, int) else f".{s}" for s in reversed(segments))
    return "$" + "".join(parts)


def _to_validation_error(exc: BaseException, payload: Any) -> ResponseValidationError:
    if isinstance(exc, _ReadError):
        return ResponseValidationError(
            exc.message, payload=payload, path=_format_path(exc.segments)
        )
    return ResponseValidationError(_describe(exc), payload=payload)


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _want(value: Any, expected: str) -> _ReadError:
    return _ReadError(f"expected {expected}, got {_type_name(value)} {_short(value)}")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# -- leaf readers, called only off the fast path (the generated code inlines the common case)


def _read_int(value: Any) -> Any:
    if value.__class__ is float:
        # Lenient: 3.0 -> 3; a fractional value is kept as sent rather than refused, and so is
        # one beyond the 64 bits orjson can write (it reads 2**64 as a float), so it goes back.
        if value.is_integer() and -(2**63) <= value < 2**64:
            return int(value)
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    raise _want(value, "an integer")


def _read_float(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    raise _want(value, "a number")


def _read_str(value: Any) -> Any:
    if isinstance(value, str):
        return str(value)
    raise _want(value, "a string")


def _read_bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    raise _want(value, "a boolean")


def _read_map(value: Any) -> Any:
    if isinstance(value, Mapping):
        return value
    raise _want(value, "an object")


def _read_list(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return value
    raise _want(value, "an array")


def _read_scalar(value: Any) -> Any:
    if isinstance(value, (str, int, float)):
        return value
    raise _want(value, "a string or a number")


def _as_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, Mapping):
        return dict(value)
    raise _want(value, "an object")


def _list_error(exc: BaseException, values: Sequence[Any], hook: Hook) -> _ReadError:
    # Off the fast path: re-run the (pure) hook to find which element failed.
    for index, value in enumerate(values):
        try:
            hook(value)
        except Exception as inner:  # noqa: PERF203 (error path only)
            return _at(inner, index)
    return _at(exc, 0)


def _read_model_list(values: Any, hook: Hook) -> list[Any]:
    if values.__class__ is not list:
        values = _read_list(values)
    try:
        return [hook(v) for v in values]
    except Exception as exc:
        raise _list_error(exc, values, hook) from None


# -- type analysis


def _strip_optional(tp: Any) -> tuple[Any, bool]:
    if _is_union(tp):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) != len(get_args(tp)):
            return (args[0] if len(args) == 1 else Union[tuple(args)]), True
    return tp, False


def _is_union(tp: Any) -> bool:
    return get_origin(tp) is Union or isinstance(tp, types.UnionType)


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and attrs.has(tp)


def _is_list(tp: Any) -> bool:
    return get_origin(tp) in (list, Sequence)


def _is_modelish(tp: Any) -> bool:
    """A class or union the converter has a structure hook of ours for."""
    return _is_model(tp) or tp in _UNION_MAKERS


def _is_ours(tp: Any) -> bool:
    try:
        return _is_modelish(tp)
    except TypeError:  # an unhashable type form: cattrs will say what it makes of it
        return False


def _leaf(tp: Any) -> str | None:
    """The leaf kind of a type that needs no hook: str, int, float, bool, map, list, any."""
    if tp is Any or tp is object:
        return "any"
    if tp is str:
        return "str"
    if tp is bool:
        return "bool"
    if tp is int:
        return "int"
    if tp is float:
        return "float"
    origin = get_origin(tp)
    if origin in (dict, Mapping) or tp in (dict, Mapping):
        return "map"
    if origin in (list, Sequence) and not _is_modelish(get_args(tp)[0]):
        return "list"
    if _is_union(tp):
        kinds = {_leaf(arg) for arg in get_args(tp)}
        if None in kinds:
            return None
        if kinds <= {"int", "float"}:
            return "float"
        if kinds <= {"int", "float", "str"}:
            return "scalar"
        return "any"
    return None


_LEAF_CHECK = {
    # kind -> (fast-path condition that needs no call, slow reader)
    "str": ("v.__class__ is str", "_read_str"),
    "int": ("v.__class__ is int", "_read_int"),
    "float": ("v.__class__ is float or v.__class__ is int", "_read_float"),
    "bool": ("v.__class__ is bool", "_read_bool"),
    "map": ("v.__class__ is dict", "_read_map"),
    "list": ("v.__class__ is list", "_read_list"),
    "scalar": ("v.__class__ is str or v.__class__ is int or v.__class__ is float", "_read_scalar"),
}


# -- structure hooks for attrs classes (generated once per class)


def _structure_factory(cls: type) -> Hook:
    if cls in _CUSTOM_STRUCTURE:
        return _CUSTOM_STRUCTURE[cls]
    if cls in _UNKNOWN_CLASSES:
        return _unknown_structure(cls)
    return _generate_structure(cls)


def _unknown_structure(cls: type) -> Hook:
    fallback = _fallback(cls)

    def structure(d: Any, _: Any = None) -> Any:
        d = _as_dict(d)
        return fallback(d, d.get("type"))

    return structure


def _builder(cls: type) -> type:
    """A subclass of ``cls`` whose instances take plain attribute stores.

    The generated hook fills one of these, then turns it into a ``cls`` by ``__class__``
    assignment (allowed: the builder adds no slots, so the layout is the same). Through the
    frozen ``__setattr__``, or a slot descriptor's ``__set__``, a field costs about 6x more: for
    a delta event that was a quarter of ``parse_event``, and more of ``parse_response``.
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


def _generate_structure(cls: type) -> Hook:
    attrs.resolve_types(cls)
    ns: dict[str, Any] = {
        "_cls": cls,
        "_builder": _builder(cls),
        "_new": _new,
        "_EMPTY": EMPTY,
        "_as_dict": _as_dict,
        "_at": _at,
        "_list_error": _list_error,
        "_want": _want,
        "_read_model_list": _read_model_list,
        "_known": frozenset(f.name for f in attrs.fields(cls) if f.name != "extra_fields"),
    }
    ns.update({name: globals()[name] for _, name in _LEAF_CHECK.values()})
    lines = [
        "def structure(d, _t=None):",
        "    if d.__class__ is not dict:",
        "        d = _as_dict(d)",
        "    o = _new(_builder)",
    ]
    for i, field in enumerate(attrs.fields(cls)):
        if field.name == "extra_fields":
            continue
        lines += [
            f"    v = d.get({field.name!r})",
            *_read_field(i, field, ns),
            f"    o.{field.name} = v",
        ]
    lines += [
        "    if _known.issuperset(d):",
        "        o.extra_fields = _EMPTY",
        "    else:",
        "        o.extra_fields = {k: x for k, x in d.items() if k not in _known}",
        "    o.__class__ = _cls",
        "    return o",
    ]
    fn: Hook = _compile(lines, f"<structure {cls.__qualname__}>", ns)
    return fn


def _compile(lines: list[str], filename: str, ns: dict[str, Any]) -> Any:
    """Compile the one function in ``lines`` as a closure over ``ns`` (fast local lookups)."""
    body = "\n".join("    " + line for line in lines)
    name = lines[0].split("(")[0].removeprefix("def ")
    source = f"def make({', '.join(ns)}):\n{body}\n    return {name}\n"
    # Registered with linecache so tracebacks through generated hooks show their source.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    scope: dict[str, Any] = {}
    exec(compile(source, filename, "exec"), scope)
    return scope["make"](**ns)


def _default_expr(i: int, field: attrs.Attribute[Any], tp: Any, ns: dict[str, Any]) -> str:
    default = field.default
    if isinstance(default, _FACTORY):
        ns[f"_f{i}"] = default.factory
        return f"_f{i}()"
    if default is None:
        return "None"
    if default is not attrs.NOTHING:
        ns[f"_d{i}"] = default
        return f"_d{i}"
    # A "required" field the server left out: an empty value of its type.
    base, optional = _strip_optional(tp)
    if optional:
        return "None"
    if _is_list(base) or (_is_union(base) and any(_is_list(a) for a in get_args(base))):
        return "[]"  # Message.content, FunctionCallOutput.output: no parts
    if base is str:
        return "''"
    return "None"


def _read_field(i: int, field: attrs.Attribute[Any], ns: dict[str, Any]) -> list[str]:
    name = field.name
    tp = field.type
    default = _default_expr(i, field, tp, ns)
    if get_origin(tp) is Literal:
        # The tag: keep the wire spelling (aliases such as response.reasoning_text.delta).
        return [f"    if v.__class__ is not str: v = {default}"]
    base, _ = _strip_optional(tp)
    # A null or missing value takes the default; None needs no assignment (the usual case).
    head = ["    if v is None: pass" if default == "None" else f"    if v is None: v = {default}"]
    leaf = _leaf(base)
    if leaf == "any":
        return [] if default == "None" else head
    if leaf is not None:
        fast, slow = _LEAF_CHECK[leaf]
        return [
            *head,
            f"    elif not ({fast}):",
            "        try:",
            f"            v = {slow}(v)",
            "        except Exception as e:",
            f"            raise _at(e, {name!r}) from None",
        ]
    if _is_modelish(base):
        ns[f"_h{i}"] = _cell(base)
        return [
            *head,
            "    else:",
            "        try:",
            f"            v = _h{i}[0](v)",
            "        except Exception as e:",
            f"            raise _at(e, {name!r}) from None",
        ]
    if _is_list(base):
        ns[f"_h{i}"] = _cell(get_args(base)[0])
        return [
            *head,
            "    elif v.__class__ is list:",
            "        if v:",  # most lists are empty ("logprobs": [], "annotations": [])
            "            try:",
            f"                v = list(map(_h{i}[0], v))",
            "            except Exception as e:",
            f"                raise _at(_list_error(e, v, _h{i}[0]), {name!r}) from None",
            "    else:",
            f"        raise _at(_want(v, 'an array'), {name!r})",
        ]
    if _is_union(base):
        # str | <list of models or a model>: OpenRouter's content, output, instructions, sort.
        others = [a for a in get_args(base) if a is not str]
        if str in get_args(base) and len(others) == 1:
            other = others[0]
            if _is_list(other):
                ns[f"_h{i}"] = _cell(get_args(other)[0])
                call = f"_read_model_list(v, _h{i}[0])"
            else:
                ns[f"_h{i}"] = _cell(other)
                call = f"_h{i}[0](v)"
            return [
                *head,
                "    elif v.__class__ is not str:",
                "        try:",
                f"            v = {call}",
                "        except Exception as e:",
                f"            raise _at(e, {name!r}) from None",
            ]
    raise TypeError(f"no reader for field {name!r}: {tp!r}")  # a bug in types/, seen at import


# -- the hook of each class or union of ours: built on first use, then cached

_HOOKS: dict[Any, Hook] = {}


def _hook(tp: Any) -> Hook:
    """Our structure hook for a class or tagged union (``(value, type=None)``), built once."""
    hook = _HOOKS.get(tp)
    if hook is None:
        make = _UNION_MAKERS.get(tp)
        hook = make() if make is not None else _structure_factory(tp)
        # setdefault: when two threads race to build the same hook, both get the first one.
        hook = _HOOKS.setdefault(tp, hook)
    return hook


def _model_hook(cls: type) -> Callable[[Any], Any]:
    """The structure hook of one of our classes, callable with the value alone."""
    return _cell(cls)[0]


def _hook_for(tp: Any) -> Hook:
    if _is_modelish(tp):
        return _hook(tp)  # ours: callable with the value alone
    hook = _converter().get_structure_hook(tp)
    return lambda v, _h=hook, _t=tp: _h(v, _t)


# -- tagged unions: dispatch on the tag through a dict built once; unknown tags keep the raw


def _tags(cls: type) -> tuple[Any, ...]:
    """The wire tags of ``cls``: the values of its ``type: Literal[...]`` annotation."""
    tp: Any = attrs.fields_dict(cls)["type"].type
    if isinstance(tp, str):
        # A postponed annotation: evaluate this one alone. Resolving every field of every
        # member (attrs.resolve_types) would cost more than the rest of the import.
        try:
            tp = eval(tp, vars(sys.modules[cls.__module__]))
        except Exception:  # declared in a base class of another module: resolve them all
            attrs.resolve_types(cls)
            tp = attrs.fields_dict(cls)["type"].type
    return get_args(tp) if get_origin(tp) is Literal else ()


def _deferred(cls: type, table: dict[Any, Hook], tags: Sequence[Any]) -> Hook:
    """A stand-in for ``cls``'s hook in ``table``: builds it on first use and takes its place.

    The hook that takes its place is shaped by that first payload (see ``_shaped``) when it can
    be: a stream repeats one shape per event type thousands of times.
    """

    def first_use(d: Any, _: Any = None) -> Any:
        hook = _hook(cls)
        shaped = _shaped(cls, hook, d) if d.__class__ is dict else None
        for tag in tags:
            if table.get(tag) is first_use:
                table[tag] = shaped or hook
        return hook(d)

    return first_use


# The classes whose values a hook keeps as they are, by leaf kind (see _LEAF_CHECK).
_LEAF_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (float, int),
    "bool": (bool,),
    "map": (dict,),
    "list": (list,),
    "scalar": (str, int, float),
}


def _shape_read(i: int, field: attrs.Attribute[Any], value: Any, ns: dict[str, Any]) -> str | None:
    """How a shaped hook reads ``value`` (in ``v{i}``) into ``field``: a statement, "" when the
    value is stored as it is, ``None`` when the general hook would not store it so (a default
    taken, a conversion made): then the payload gives no shape.
    """
    tp = field.type
    if value is None:
        return "" if _default_expr(0, field, tp, {}) == "None" else None
    if get_origin(tp) is Literal:
        return "" if value.__class__ is str else None
    base, _ = _strip_optional(tp)
    leaf = _leaf(base)
    if leaf is not None:
        return "" if leaf == "any" or value.__class__ in _LEAF_TYPES[leaf] else None
    if not _is_modelish(base) and _is_union(base):  # str | a model or a list of them
        others = [a for a in get_args(base) if a is not str]
        if value.__class__ is str:
            return ""
        base = others[0]
    if _is_modelish(base):
        ns[f"_h{i}"] = _cell(base)
        return f"v{i} = _h{i}[0](v{i})"
    if _is_list(base) and value.__class__ is list:
        ns[f"_h{i}"] = _cell(get_args(base)[0])
        return f"if v{i}: v{i} = _list(_map(_h{i}[0], v{i}))"
    return None


def _shaped(cls: type, general: Hook, d: dict[str, Any]) -> Hook | None:
    """A hook for payloads with ``d``'s keys and value classes, or ``None`` if ``d`` has none.

    Such a payload needs no per-field test: one C-level ``itemgetter`` reads the values, one
    tuple of their classes is compared, nested models go to their own hooks, and the fields are
    stored. Anything else (another key set, another class, a nested value that does not read)
    goes to the ``general`` hook, which gives the same result or the error with its path; so
    this is only a shortcut. About half the work per delta event, and per Response.
    """
    fields = attrs.fields_dict(cls)
    names = tuple(d)
    ns: dict[str, Any] = {}
    reads = [
        _shape_read(i, fields[name], d[name], ns)
        if name in fields and name != "extra_fields"
        else None
        for i, name in enumerate(names)
    ]
    if len(names) < 4 or None in reads:  # below four fields the general hook is as quick
        return None
    ns.update(
        _cls=cls,
        _builder=_builder(cls),
        _new=_new,
        _EMPTY=EMPTY,
        _general=general,
        _get=operator.itemgetter(*names),
        _classes=tuple(value.__class__ for value in d.values()),
        _list=list,
        _map=map,
        _type=type,
    )
    conversions = [f"                {read}" for read in reads if read]
    if conversions:  # a nested value that does not read: the general hook says where
        conversions = [
            "            try:",
            *conversions,
            "            except Exception:",
            "                return _general(d, _t)",
        ]
    lines = [
        "def structure(d, _t=None):",
        f"    if len(d) == {len(names)}:",  # with every key found: no key unknown
        "        try:",
        "            v = _get(d)",
        "        except Exception:",
        "            return _general(d, _t)",
        f"        {', '.join(f'v{i}' for i in range(len(names)))}, = v",
        f"        if ({''.join(f'_type(v{i}), ' for i in range(len(names)))}) == _classes:",
        *conversions,
        "            o = _new(_builder)",
        *(f"            o.{name} = v{i}" for i, name in enumerate(names)),
        *(
            f"            o.{field.name} = {_default_expr(i, field, field.type, ns)}"
            for i, field in enumerate(attrs.fields(cls), start=len(names))
            if field.name not in d and field.name != "extra_fields"
        ),
        "            o.extra_fields = _EMPTY",
        "            o.__class__ = _cls",
        "            return o",
        "    return _general(d, _t)",
    ]
    fn: Hook = _compile(lines, f"<structure {cls.__qualname__} shaped>", ns)
    return fn


# Each class's current hook, in a one-item list that generated hooks call through: the hook
# shaped by the class's first payload replaces the general one there, for every caller at once.
_CELLS: dict[Any, list[Hook]] = {}


def _cell(tp: Any) -> list[Hook]:
    cell = _CELLS.get(tp)
    if cell is None:
        cell = [_hook_for(tp)]
        if _is_model(tp) and tp not in _CUSTOM_STRUCTURE and tp not in _UNKNOWN_CLASSES:
            cell[0] = _learner(tp, cell[0], cell)
        cell = _CELLS.setdefault(tp, cell)
    return cell


def _learner(cls: type, general: Hook, cell: list[Hook]) -> Hook:
    def first_use(d: Any, _: Any = None) -> Any:
        cell[0] = (_shaped(cls, general, d) if d.__class__ is dict else None) or general
        return general(d)

    return first_use


def _table(union: Any, extra: Mapping[str, type] = EMPTY) -> dict[Any, Hook]:
    """{wire tag: structure hook} for every member whose ``type`` is a Literal."""
    table: dict[Any, Hook] = {}
    groups: list[tuple[type, Sequence[Any]]] = [
        (member, _tags(member))
        for member in get_args(union)
        if _is_model(member)
        and member not in _UNKNOWN_CLASSES
        and "type" in attrs.fields_dict(member)
    ]
    by_class: dict[type, list[Any]] = {}
    for tag, cls in extra.items():
        by_class.setdefault(cls, []).append(tag)
    groups += by_class.items()  # after the members: an extra tag wins over a member's
    for cls, tags in groups:
        stand_in = _deferred(cls, table, tags)
        for tag in tags:
            table[tag] = stand_in
    return table


def _union_hook(
    union: Any, fallback: Callable[[dict[str, Any], Any], Any], extra: Mapping[str, type] = EMPTY
) -> Hook:
    table = _TABLES[union] = _table(union, extra)

    def structure(d: Any, _: Any = None) -> Any:
        if d.__class__ is not dict:
            d = _as_dict(d)
        tag = d.get("type")
        hook = table.get(tag) if tag.__class__ is str else None
        if hook is not None:
            return hook(d)
        return fallback(d, tag)

    return structure


def _fallback(cls: type) -> Callable[[dict[str, Any], Any], Any]:
    """Build the Unknown* object keeping ``d`` as sent."""

    def make(d: dict[str, Any], tag: Any) -> Any:
        return cls(type=tag if isinstance(tag, str) else "", raw=d)

    return make if cls is not UnknownEvent else _unknown_event


def _unknown_event(d: dict[str, Any], tag: Any) -> UnknownEvent:
    seq = d.get("sequence_number")
    return UnknownEvent(
        type=tag if isinstance(tag, str) else "",
        raw=d,
        sequence_number=seq if seq.__class__ is int else None,
    )


def _item_fallback(d: dict[str, Any], tag: Any) -> Any:
    if tag is None:
        if "role" in d:  # OpenRouter's EasyInputMessage: {"role": ..., "content": ...}
            return _model_hook(Message)(d)
        if d.keys() == {"id"}:  # the spec lets an item reference omit its type
            return _model_hook(ItemReference)(d)
    return UnknownItem(type=tag if isinstance(tag, str) else "", raw=d)


def _event_fallback(d: dict[str, Any], tag: Any) -> Any:
    if tag is None and "error" in d:  # OpenRouter's bare mid-stream error frame
        return _structure_error_event(d)
    return _unknown_event(d, tag)


def _tool_choice_hook(v: Any, _: Any = None) -> Any:
    if v.__class__ is str:
        return v
    d = _as_dict(v)
    tag = d.get("type")
    if tag == "function":
        return _model_hook(ToolChoiceFunction)(d)
    if tag == "allowed_tools":
        return _model_hook(ToolChoiceAllowed)(d)
    return _model_hook(ToolChoiceTool)(d)


def _plugin_hook(v: Any, _: Any = None) -> Any:
    d = _as_dict(v)
    plugin_id = d.get("id")
    if plugin_id == "web":
        return _model_hook(WebPlugin)(d)
    if plugin_id == "file-parser":
        return _model_hook(FileParserPlugin)(d)
    return _model_hook(Plugin)(d)


# -- ErrorEvent: one class for the flat, nested and bare shapes

_ERROR_FLAT_KEYS = frozenset({"type", "sequence_number", "code", "message", "param", "error"})
_ERROR_NESTED_KEYS = frozenset({"type", "sequence_number", "error"})


def _structure_error_event(d: Any, _: Any = None) -> ErrorEvent:
    d = _as_dict(d)
    nested = d.get("error")
    source = nested if isinstance(nested, dict) else d
    known = _ERROR_NESTED_KEYS if source is nested else _ERROR_FLAT_KEYS
    code = source.get("code", d.get("code"))
    if code.__class__ is float:
        code = _read_int(code)
    message = source.get("message", d.get("message"))
    if message is None and isinstance(nested, str):
        message = nested
    param = source.get("param", d.get("param"))
    seq = d.get("sequence_number")
    if seq is not None:
        try:
            seq = _read_int(seq)
        except _ReadError as exc:
            raise _at(exc, "sequence_number") from None
    tag = d.get("type")
    extra = {k: v for k, v in d.items() if k not in known}
    if source is not nested and nested is not None:
        extra["error"] = nested  # e.g. {"error": "text"}: keep it as sent
    return ErrorEvent(
        type=tag if isinstance(tag, str) else "error",  # type: ignore[arg-type]
        sequence_number=seq,
        code=code if isinstance(code, (int, str)) else None,
        message=message if isinstance(message, str) else ("" if message is None else str(message)),
        param=param if isinstance(param, str) else None,
        error=nested if source is nested else None,
        extra_fields=extra or EMPTY,
    )


def _unstructure_error_event(o: ErrorEvent) -> dict[str, Any]:
    d: dict[str, Any] = {"type": o.type}
    if o.sequence_number is not None:
        d["sequence_number"] = o.sequence_number
    if o.error is not None:
        d["error"] = _plain(o.error)
    else:
        for key in ("code", "message", "param"):
            value = getattr(o, key)
            if value is not None:
                d[key] = value
        if d.get("message") == o.extra_fields.get("error"):
            del d["message"]  # it was derived from {"error": "text"}, which is written back
    for key, value in o.extra_fields.items():
        d.setdefault(key, value)
    return d


_CUSTOM_STRUCTURE: dict[type, Hook] = {ErrorEvent: _structure_error_event}


# -- unstructure (generated once per class; nested values dispatch on their runtime class)

_UNSTRUCTURE: dict[type, Callable[[Any], Any]] = {}


def _unstructure_value(v: Any) -> Any:
    fn = _UNSTRUCTURE.get(v.__class__)
    if fn is not None:
        return fn(v)
    return _plain(v)


def _plain(v: Any) -> Any:
    """Any value to plain JSON data: attrs models by their hook, containers element-wise."""
    cls = v.__class__
    if cls in (str, int, float, bool) or v is None:
        return v
    fn = _UNSTRUCTURE.get(cls)
    if fn is not None:
        return fn(v)
    if attrs.has(cls):
        return _unstructure_hook_for(cls)(v)
    if isinstance(v, Mapping):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def _unstructure_hook_for(cls: type) -> Callable[[Any], Any]:
    fn = _UNSTRUCTURE.get(cls)
    if fn is None:
        fn = _make_unstructure(cls)
        _UNSTRUCTURE[cls] = fn
    return fn


def _unknown_unstructure(o: Any) -> dict[str, Any]:
    raw = o.raw
    return raw if raw.__class__ is dict else dict(raw)


def _make_unstructure(cls: type) -> Callable[[Any], Any]:
    if cls in _UNKNOWN_CLASSES:
        return _unknown_unstructure
    if cls is ErrorEvent:
        return _unstructure_error_event
    attrs.resolve_types(cls)
    fields = [f for f in attrs.fields(cls) if f.name != "extra_fields"]
    fields.sort(key=lambda f: get_origin(f.type) is not Literal)  # the tag first
    ns: dict[str, Any] = {"_u": _unstructure_value, "_plain": _plain}
    lines = ["def unstructure(o):", "    d = {}"]
    for field in fields:
        name = field.name
        base, _ = _strip_optional(field.type)
        leaf = _leaf(base) if get_origin(base) is not Literal else "str"
        if leaf in ("str", "int", "float", "bool", "scalar"):
            value = "v"
        elif leaf in ("map", "list", "any"):
            value = "_plain(v)"
        elif _is_list(base):
            value = "[_u(x) for x in v]"
        elif _is_union(base) and str in get_args(base):
            other = next(a for a in get_args(base) if a is not str)
            inner = "[_u(x) for x in v]" if _is_list(other) else "_u(v)"
            value = f"v if v.__class__ is str else {inner}"
        else:
            value = "_u(v)"
        lines += [f"    v = o.{name}", "    if v is not None:", f"        d[{name!r}] = {value}"]
    lines += [
        "    e = o.extra_fields",
        "    if e:",
        "        for k, x in e.items():",
        "            if k not in d:",
        "                d[k] = x",
        "    return d",
    ]
    fn: Callable[[Any], Any] = _compile(lines, f"<unstructure {cls.__qualname__}>", ns)
    return fn


# -- the unions (class hooks look them up when generated) and the cattrs converter

_TABLES: dict[Any, dict[Any, Hook]] = {}
_UNION_MAKERS: dict[Any, Callable[[], Hook]] = {
    ContentPart: lambda: _union_hook(ContentPart, _fallback(UnknownContent)),
    Annotation: lambda: _union_hook(Annotation, _fallback(UnknownAnnotation)),
    Tool: lambda: _union_hook(Tool, _fallback(UnknownTool)),
    TextFormat: lambda: _union_hook(TextFormat, _fallback(UnknownFormat)),
    Item: lambda: _union_hook(
        Item, _item_fallback, dict.fromkeys(SERVER_TOOL_ITEM_TYPES, ServerToolCall)
    ),
    StreamEvent: lambda: _union_hook(StreamEvent, _event_fallback),
    ToolChoice: lambda: _tool_choice_hook,
    PluginConfig: lambda: _plugin_hook,
}
_CONVERTER: list[Converter] = []


def _converter() -> Converter:
    """The cattrs converter, built on first use, with our hooks registered as factories."""
    if not _CONVERTER:
        from cattrs.preconf.orjson import make_converter

        converter = make_converter()
        for union in _UNION_MAKERS:
            converter.register_structure_hook_factory(partial(operator.eq, union), _hook)
        converter.register_structure_hook_factory(attrs.has, _hook)
        converter.register_unstructure_hook_factory(attrs.has, _unstructure_hook_for)
        _CONVERTER.append(converter)
    return _CONVERTER[0]


def __getattr__(name: str) -> Converter:
    # ``converter`` stays importable without importing cattrs for every program.
    if name == "converter":
        return _converter()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# The stream's dispatch table, read directly by parse_event (a stand-in per tag until used).
_hook(StreamEvent)
_EVENT_TABLE = _TABLES[StreamEvent]
_orjson_loads = orjson.loads


# -- the public API


def loads(data: bytes | str) -> Any:
    """Parse JSON; invalid JSON raises ``ResponseValidationError`` with the raw payload."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ResponseValidationError(f"invalid JSON: {exc}", payload=data) from None


def _default(value: Any) -> Any:
    if attrs.has(value.__class__):
        return _unstructure_hook_for(value.__class__)(value)
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (Sequence, set, frozenset)) and not isinstance(value, (str, bytes)):
        return list(value)
    raise TypeError(f"cannot serialize {type(value).__name__} to JSON")


class _UnwritableError(InvalidRequestError, TypeError):
    """A value JSON cannot hold; still a ``TypeError``, as ``json.dumps`` callers expect."""


def dumps(obj: Any) -> bytes:
    """Serialize to JSON bytes; attrs models anywhere inside are written in wire shape.

    A value JSON cannot hold (an int beyond 64 bits, an unknown type) raises
    ``InvalidRequestError`` (field ``body``, also a ``TypeError``): what is written here is a
    request.
    """
    try:
        return orjson.dumps(obj, default=_default)
    except orjson.JSONEncodeError as exc:
        raise _UnwritableError("body", f"cannot be written as JSON: {exc}") from None


def structure(data: Any, cl: type[T]) -> T:
    """Read ``data`` (decoded JSON) as ``cl``; failures raise ``ResponseValidationError``."""
    try:
        if _is_ours(cl):
            return _cell(cl)[0](data)  # type: ignore[no-any-return]
        return _converter().structure(data, cl)
    except Exception as exc:
        raise _to_validation_error(exc, data) from None


def unstructure(obj: Any) -> Any:
    """Write a model (or a list / dict of them) as plain JSON data, in wire shape."""
    return _plain(obj)


def parse_event(data: bytes | str) -> StreamEvent:
    """Read one SSE ``data`` payload as a typed event (the hot path of every stream)."""
    try:
        # A known event that reads cleanly: the common case, in the fewest steps.
        d = _orjson_loads(data)
        return _EVENT_TABLE[d["type"]](d)  # type: ignore[no-any-return]
    except Exception:
        return _parse_event(data)


def _parse_event(data: bytes | str) -> StreamEvent:
    """:func:`parse_event` for all the rest: unknown types, and what does not read."""
    try:
        d = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ResponseValidationError(f"invalid JSON in event: {exc}", payload=data) from None
    if d.__class__ is not dict:
        raise ResponseValidationError(
            f"expected an event object, got {_type_name(d)}", payload=data
        )
    try:
        tag = d.get("type")
        hook = _EVENT_TABLE.get(tag) if tag.__class__ is str else None
        if hook is not None:
            return hook(d)  # type: ignore[no-any-return]
        return _event_fallback(d, tag)  # type: ignore[no-any-return]
    except Exception as exc:
        raise _to_validation_error(exc, d) from None


def parse_response(data: bytes | str | Mapping[str, Any]) -> Response:
    """Read a Response from JSON bytes / text or from an already decoded mapping."""
    d = data if isinstance(data, Mapping) else loads(data)
    if not isinstance(d, Mapping):
        raise ResponseValidationError(
            f"expected a response object, got {_type_name(d)}", payload=data
        )
    try:
        return _cell(Response)[0](d)  # type: ignore[no-any-return]
    except Exception as exc:
        raise _to_validation_error(exc, d) from None
