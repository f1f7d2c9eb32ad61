"""The unions: one dict dispatch on ``type`` per tagged union, with the ``Unknown*`` fallbacks
that keep the raw mapping; the three ErrorEvent shapes; ToolChoice and Plugin (on ``id``).

The hooks here take ``hook_of`` (a class -> its structure hook): the converter passes its own.
The fast path dispatches on the same tag tables to its shaped hooks, and leaves every payload
without a known tag to these fallbacks.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, Literal, get_args, get_origin

import attrs

from ..types import (
    Annotation,
    ApplyPatchOperation,
    CodeInterpreterOutput,
    ComputerAction,
    ContentPart,
    ErrorEvent,
    Item,
    ItemReference,
    JsonSchemaFormat,
    LocalShellAction,
    Message,
    Plugin,
    PluginConfig,
    ShellEnvironment,
    ShellOutcome,
    StopCondition,
    StreamEvent,
    TextFormat,
    Tool,
    ToolChoice,
    ToolChoiceAllowed,
    ToolChoiceFunction,
    ToolChoiceTool,
    UnknownAnnotation,
    UnknownCodeInterpreterOutput,
    UnknownComputerAction,
    UnknownContent,
    UnknownEnvironment,
    UnknownEvent,
    UnknownFormat,
    UnknownItem,
    UnknownLocalShellAction,
    UnknownPatchOperation,
    UnknownShellOutcome,
    UnknownStopCondition,
    UnknownTool,
    UnknownWebSearchAction,
    WebSearchAction,
)
from ..types._base import EMPTY
from ..types.openrouter_items import SERVER_TOOL_CALL_CLASSES
from .errors import ReadError, as_dict
from .leaves import read_int

Hook = Callable[..., Any]
HookOf = Callable[[Any], Hook]
Fallback = Callable[[dict[str, Any], Any], Any]


def _tags(cls: type, field: str = "type") -> tuple[Any, ...]:
    """The wire tags of ``cls``: the values of its ``type: Literal[...]`` annotation (or of
    another ``field``'s)."""
    tp: Any = attrs.fields_dict(cls)[field].type
    if isinstance(tp, str):
        # A postponed annotation: evaluate this one alone. Resolving every field of every
        # member (attrs.resolve_types) would cost more than the rest of the import.
        try:
            tp = eval(tp, vars(sys.modules[cls.__module__]))
        except Exception:  # declared in a base class of another module: resolve them all
            attrs.resolve_types(cls)
            tp = attrs.fields_dict(cls)[field].type
    return get_args(tp) if get_origin(tp) is Literal else ()


def _keep_raw(cls: type) -> Fallback:
    return lambda d, tag: cls(type=tag if isinstance(tag, str) else "", raw=d)


def _unknown_event(d: dict[str, Any], tag: Any) -> UnknownEvent:
    seq = d.get("sequence_number")
    return UnknownEvent(
        type=tag if isinstance(tag, str) else "",
        raw=d,
        sequence_number=seq if seq.__class__ is int else None,
    )


def _item_fallback(hook_of: HookOf) -> Fallback:
    def fallback(d: dict[str, Any], tag: Any) -> Any:
        if tag is None:
            if "role" in d:  # OpenRouter's EasyInputMessage: {"role": ..., "content": ...}
                return hook_of(Message)(d)
            if "id" in d and d.keys() <= {"id", "type"}:  # a reference may omit (or null) its type
                return hook_of(ItemReference)(d)
        return UnknownItem(type=tag if isinstance(tag, str) else "", raw=d)

    return fallback


def _format_fallback(hook_of: HookOf) -> Fallback:
    def fallback(d: dict[str, Any], tag: Any) -> Any:
        if tag is None:  # Open Responses lets a json_schema format omit its type
            return hook_of(JsonSchemaFormat)(d)
        return UnknownFormat(type=tag if isinstance(tag, str) else "", raw=d)

    return fallback


def _event_fallback(_: HookOf) -> Fallback:
    def fallback(d: dict[str, Any], tag: Any) -> Any:
        if tag is None and "error" in d:  # OpenRouter's bare mid-stream error frame
            return structure_error_event(d)
        return _unknown_event(d, tag)

    return fallback


def _raw(cls: type) -> Callable[[HookOf], Fallback]:
    return lambda _: _keep_raw(cls)


def _server_tools() -> tuple[type, ...]:
    from ..types.openrouter_tools import SERVER_TOOL_CLASSES  # loaded on first use, as in types

    return SERVER_TOOL_CLASSES


def _none() -> tuple[type, ...]:
    return ()


# union -> (what a payload with no known tag becomes, the subclasses of its members that take
# their tags from them: asked for when the union's table is built)
_TAGGED: dict[Any, tuple[Callable[[HookOf], Fallback], Callable[[], tuple[type, ...]]]] = {
    ContentPart: (_raw(UnknownContent), _none),
    Annotation: (_raw(UnknownAnnotation), _none),
    Tool: (_raw(UnknownTool), _server_tools),
    TextFormat: (_format_fallback, _none),
    Item: (_item_fallback, lambda: SERVER_TOOL_CALL_CLASSES),
    StreamEvent: (_event_fallback, _none),
    WebSearchAction: (_raw(UnknownWebSearchAction), _none),
    ComputerAction: (_raw(UnknownComputerAction), _none),
    LocalShellAction: (_raw(UnknownLocalShellAction), _none),
    ShellEnvironment: (_raw(UnknownEnvironment), _none),
    ShellOutcome: (_raw(UnknownShellOutcome), _none),
    CodeInterpreterOutput: (_raw(UnknownCodeInterpreterOutput), _none),
    ApplyPatchOperation: (_raw(UnknownPatchOperation), _none),
    StopCondition: (_raw(UnknownStopCondition), _none),
}
_TABLES: dict[Any, dict[str, type]] = {}


def tag_table(union: Any) -> dict[str, type]:
    """{wire tag: class} of a tagged union, built once."""
    table = _TABLES.get(union)
    if table is None:
        table = {
            tag: member
            for member in get_args(union)
            if attrs.has(member) and member not in UNKNOWN and "type" in attrs.fields_dict(member)
            for tag in _tags(member)
        }
        # After the members: a subclass takes its tags from the member it derives from.
        table.update((tag, cls) for cls in _TAGGED[union][1]() for tag in _tags(cls))
        table = _TABLES.setdefault(union, table)
    return table


def tagged_hook(union: Any, hook_of: HookOf) -> Hook:
    """The structure hook of a tagged union: the class of its tag, or its fallback."""
    classes = tag_table(union)
    fallback = _TAGGED[union][0](hook_of)
    # A class's hook is looked up on the first use of its tag: building the hooks of all ~120
    # wire models costs about 100 ms, and a program reads a handful of them.
    hooks: dict[str, Hook] = {}

    def structure(d: Any, _: Any = None) -> Any:
        if d.__class__ is not dict:
            d = as_dict(d)
        tag = d.get("type")
        if tag.__class__ is str:
            hook = hooks.get(tag)
            if hook is None and tag in classes:
                hook = hooks.setdefault(tag, hook_of(classes[tag]))
            if hook is not None:
                return hook(d)
        return fallback(d, tag)

    return structure


def _tool_choice(hook_of: HookOf) -> Hook:
    def structure(v: Any, _: Any = None) -> Any:
        if v.__class__ is str:
            return v
        d = as_dict(v)
        tag = d.get("type")
        if tag == "function":
            return hook_of(ToolChoiceFunction)(d)
        if tag == "allowed_tools":
            return hook_of(ToolChoiceAllowed)(d)
        return hook_of(ToolChoiceTool)(d)

    return structure


def _plugin(hook_of: HookOf) -> Hook:
    from ..types.openrouter_plugins import PLUGIN_CLASSES  # loaded on first use, as in types

    classes = {plugin_id: cls for cls in PLUGIN_CLASSES for plugin_id in _tags(cls, "id")}

    def structure(v: Any, _: Any = None) -> Any:
        d = as_dict(v)
        plugin_id = d.get("id")
        cls = classes.get(plugin_id) if plugin_id.__class__ is str else None
        return hook_of(cls or Plugin)(d)

    return structure


_CHOICES: dict[Any, Callable[[HookOf], Hook]] = {ToolChoice: _tool_choice, PluginConfig: _plugin}


def union_hook(union: Any, hook_of: HookOf) -> Hook:
    """The structure hook of one of the unions :func:`is_registered` names."""
    choice = _CHOICES.get(union)
    return choice(hook_of) if choice is not None else tagged_hook(union, hook_of)


def is_tagged(tp: Any) -> bool:
    return tp in _TAGGED


def is_registered(tp: Any) -> bool:
    try:
        return tp in _TAGGED or tp in _CHOICES
    except TypeError:  # an unhashable type form: not one of ours
        return False


# -- the Unknown* classes and ErrorEvent: read and written by hand, never by generated hooks

UNKNOWN = (
    UnknownEvent,
    UnknownItem,
    UnknownContent,
    UnknownAnnotation,
    UnknownTool,
    UnknownFormat,
    UnknownWebSearchAction,
    UnknownComputerAction,
    UnknownLocalShellAction,
    UnknownEnvironment,
    UnknownShellOutcome,
    UnknownCodeInterpreterOutput,
    UnknownPatchOperation,
    UnknownStopCondition,
)


def unknown_structure(cls: type) -> Hook:
    fallback = _unknown_event if cls is UnknownEvent else _keep_raw(cls)

    def structure(d: Any, _: Any = None) -> Any:
        d = as_dict(d)
        return fallback(d, d.get("type"))

    return structure


def unknown_unstructure(o: Any) -> dict[str, Any]:
    raw = o.raw
    return raw if raw.__class__ is dict else dict(raw)


_ERROR_FLAT_KEYS = frozenset({"type", "sequence_number", "code", "message", "param", "error"})
_ERROR_NESTED_KEYS = frozenset({"type", "sequence_number", "error"})


def structure_error_event(d: Any, _: Any = None) -> ErrorEvent:
    """One class for the flat (OpenRouter), nested (spec) and bare (``{"error": ...}``) shapes."""
    d = as_dict(d)
    nested = d.get("error")
    source = nested if isinstance(nested, dict) else d
    known = _ERROR_NESTED_KEYS if source is nested else _ERROR_FLAT_KEYS
    code = source.get("code", d.get("code"))
    if code.__class__ is float:
        code = read_int(code)
    message = source.get("message", d.get("message"))
    if message is None and isinstance(nested, str):
        message = nested
    param = source.get("param", d.get("param"))
    seq = d.get("sequence_number")
    if seq is not None:
        try:
            seq = read_int(seq)
        except ReadError as exc:
            raise ReadError(exc.message, ("sequence_number",)) from None
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


def error_event_unstructure(plain: Callable[[Any], Any]) -> Callable[[ErrorEvent], Any]:
    """The writer of ErrorEvent: nested when it was read nested, flat otherwise."""

    def unstructure(o: ErrorEvent) -> dict[str, Any]:
        d: dict[str, Any] = {"type": o.type}
        if o.sequence_number is not None:
            d["sequence_number"] = o.sequence_number
        if o.error is not None:
            d["error"] = plain(o.error)
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

    return unstructure
