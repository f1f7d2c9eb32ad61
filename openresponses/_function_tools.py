"""Function tools: a Python function as a tool the model can call, and the calls it answers.

``function_tool`` reads a function's signature and docstring into a ``FunctionTool`` definition
(the schema comes from ``_schema``); ``CallableTool`` checks a call's arguments against that
signature, runs the function, and its result becomes the call's output. The loop that asks the
model and answers its calls turn after turn is ``openresponses.tools``.
"""

from __future__ import annotations

import enum
import functools
import inspect
import json
import re
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Generic, ParamSpec, TypeVar, Union, overload

import anyio
import anyio.to_thread
import attrs

from ._errors import InvalidRequestError, OpenResponsesError
from ._schema import Field, SchemaMismatch, object_schema, parse_docstring, read_fields
from ._schema import signature_fields as _signature_fields
from .types import ContentPart, FunctionCall, FunctionTool, InputFile, InputImage, InputText, Tool

__all__ = [
    "CallableTool",
    "ToolArgumentsError",
    "ToolCallError",
    "ToolExecutionError",
    "ToolLike",
    "UnknownToolError",
    "function_tool",
    "prepare_tools",
    "to_output",
]

P = ParamSpec("P")
R = TypeVar("R")

_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


# -- errors


class ToolCallError(OpenResponsesError):
    """A function call the loop could not answer with a result; ``call`` is the model's call.

    By default the loop sends ``str(error)`` back to the model as the call's output, so the model
    can correct itself; the error is also kept on ``ToolResult.error``.
    """

    def __init__(self, message: str, *, call: FunctionCall) -> None:
        self.message = message
        self.call = call
        super().__init__(message)


class UnknownToolError(ToolCallError):
    """The model called a tool name that is not in ``tools``."""


class ToolArgumentsError(ToolCallError):
    """The arguments were not valid JSON or did not fit the function's signature.

    ``errors`` lists ``(path, message)`` pairs, e.g. ``("$.city", "required property is missing")``.
    """

    def __init__(
        self, message: str, *, call: FunctionCall, errors: Sequence[tuple[str, str]] = ()
    ) -> None:
        super().__init__(message, call=call)
        self.errors = list(errors)


class ToolExecutionError(ToolCallError):
    """The tool raised (or timed out); the original exception is ``__cause__``.

    Raised out of the loop only with ``raise_on_tool_error=True``.
    """


# -- function tools


@attrs.frozen(eq=False)
class CallableTool(Generic[P, R]):
    """A Python function the model can call: its wire definition plus the code that runs it.

    Calling the object calls the function, so ``@function_tool`` leaves it usable as before.
    ``definition`` is the ``FunctionTool`` sent in ``tools``.
    """

    fn: Callable[P, R] = attrs.field(repr=False)
    name: str
    description: str | None
    parameters: Mapping[str, Any] = attrs.field(repr=False)
    strict: bool
    _fields: tuple[Field, ...] = attrs.field(repr=False, alias="fields")
    _positional: int = attrs.field(default=0, repr=False, alias="positional")

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.fn(*args, **kwargs)

    @property
    def definition(self) -> FunctionTool:
        return FunctionTool(
            name=self.name,
            description=self.description,
            parameters=self.parameters,
            strict=self.strict,
        )

    def parse_arguments(self, call: FunctionCall) -> dict[str, Any]:
        """The call's arguments checked against the signature; raises ``ToolArgumentsError``.

        An argument with a default may be left out (or ``null``), even under a strict schema:
        many providers do not enforce ``strict``, and the function's default is what the model
        meant. Only what cannot be called is an error: a required argument missing, a wrong
        type, an unknown key.
        """
        try:
            raw = json.loads(call.arguments) if call.arguments.strip() else {}
        except ValueError as exc:
            raise ToolArgumentsError(
                f"the arguments of {self.name} are not valid JSON ({exc}); call it again with a "
                "JSON object that matches its parameters",
                call=call,
                errors=[("$", str(exc))],
            ) from None
        try:
            return read_fields(
                {} if raw is None else raw, self._fields, strict=self.strict, missing_defaults=True
            )
        except SchemaMismatch as exc:
            raise ToolArgumentsError(
                f"invalid arguments for {self.name}: {exc.describe()}; call it again with "
                "arguments that match its parameters",
                call=call,
                errors=exc.errors,
            ) from None

    async def invoke(self, call: FunctionCall) -> Any:
        """Run the function on the call's arguments (sync functions in a worker thread)."""
        kwargs = self.parse_arguments(call)
        args = [
            kwargs.pop(field.key) if field.key in kwargs else field.default
            for field in self._fields[: self._positional]
        ]
        if _is_async(self.fn):
            result = await self.fn(*args, **kwargs)  # type: ignore[misc]
        else:
            bound = functools.partial(self.fn, *args, **kwargs)
            # Abandoned on cancel so a timeout returns at once; the thread finishes on its own.
            result = await anyio.to_thread.run_sync(bound, abandon_on_cancel=True)
        if inspect.isawaitable(result):
            result = await result
        return result


@overload
def function_tool(
    fn: Callable[P, R],
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    strict: bool = True,
) -> CallableTool[P, R]: ...
@overload
def function_tool(
    fn: None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    strict: bool = True,
) -> Callable[[Callable[P, R]], CallableTool[P, R]]: ...
def function_tool(
    fn: Callable[P, R] | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    strict: bool = True,
) -> CallableTool[P, R] | Callable[[Callable[P, R]], CallableTool[P, R]]:
    """Turn a sync or async function into a tool the model can call; also a decorator.

    The name defaults to the function's, the description to its docstring (text before the
    first section), and each parameter's description to its entry in a Google, NumPy or Sphinx
    style docstring (or ``Annotated[T, "text"]``). The JSON schema comes from the type hints:
    str, int, float, bool, None, Optional and unions, Literal, Enum, list/Sequence/set, tuple,
    dict/Mapping with str keys, and attrs classes (nested, even recursive). A parameter with a
    default is optional.

    ``strict=True`` produces a schema the strict rules accept: every property required
    (optional ones become nullable; ``null``, or the key left out, means "use the default"),
    ``additionalProperties`` false everywhere, and ``dict[str, X]`` sent as a list of
    ``{"key", "value"}`` pairs. Hints strict mode cannot express (``Any``, a missing annotation)
    raise ``TypeError``; pass ``strict=False`` for those.
    """

    def wrap(func: Callable[P, R]) -> CallableTool[P, R]:
        return _build_tool(func, name=name, description=description, strict=strict)

    return wrap if fn is None else wrap(fn)


def _build_tool(
    fn: Callable[P, R], *, name: str | None, description: str | None, strict: bool
) -> CallableTool[P, R]:
    if isinstance(fn, CallableTool):
        fn = fn.fn
    if isinstance(fn, type) or not callable(fn):
        raise TypeError(f"function_tool needs a function, not {fn!r}")
    tool_name = name or getattr(fn, "__name__", None)
    if not tool_name or not _NAME.match(tool_name):
        raise ValueError(
            f"tool name {tool_name!r} must match ^[a-zA-Z0-9_-]{{1,64}}$ (pass name=...)"
        )
    doc_description, doc_params = parse_docstring(inspect.getdoc(fn))
    try:
        hints = typing.get_type_hints(fn, include_extras=True)
    except Exception as exc:
        raise TypeError(f"{tool_name}: cannot resolve the type hints: {exc}") from exc
    hints.pop("return", None)
    try:
        fields = _signature_fields(fn, hints, doc_params)
        parameters = object_schema(fields, strict=strict)
    except TypeError as exc:
        raise TypeError(f"{tool_name}: {exc}") from None
    kinds = [p.kind for p in inspect.signature(fn).parameters.values()]
    return CallableTool(
        fn=fn,
        name=tool_name,
        description=description if description is not None else doc_description,
        parameters=parameters,
        strict=strict,
        fields=tuple(fields),
        positional=kinds.count(inspect.Parameter.POSITIONAL_ONLY),
    )


def _is_async(fn: Callable[..., Any]) -> bool:
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(
        getattr(fn, "__call__", None)  # noqa: B004 - an object with an async __call__
    )


# -- tool lists and outputs

ToolLike = Union[CallableTool[..., Any], Callable[..., Any], Tool, Mapping[str, Any]]
"""What ``tools=[...]`` takes: function tools, plain functions, and definitions without code."""


def prepare_tools(
    tools: Iterable[ToolLike],
) -> tuple[list[Any], dict[str, CallableTool[..., Any]], set[str]]:
    """Wire definitions, the tools with code (by name), and the names of those without."""
    definitions: list[Any] = []
    local: dict[str, CallableTool[..., Any]] = {}
    external: set[str] = set()
    for tool in tools:
        name: str | None = None
        definition: Any
        if isinstance(tool, CallableTool):
            local[tool.name] = tool
            name, definition = tool.name, tool.definition
        elif isinstance(tool, FunctionTool):
            name, definition = tool.name, tool
            external.add(name)
        elif isinstance(tool, Mapping):
            definition = tool
            if tool.get("type") == "function":
                name = str(tool.get("name"))
                external.add(name)
        elif attrs.has(type(tool)):
            definition = tool  # a hosted or server tool: the server runs it
        elif callable(tool) and not isinstance(tool, type):
            converted = function_tool(tool)
            local[converted.name] = converted
            name, definition = converted.name, converted.definition
        else:
            raise TypeError(f"tools: cannot use {tool!r} as a tool")
        if name is not None and any(_tool_name(d) == name for d in definitions):
            raise InvalidRequestError("tools", f"two tools are named {name!r}")
        definitions.append(definition)
    return definitions, local, external


def _tool_name(definition: Any) -> str | None:
    if isinstance(definition, FunctionTool):
        return definition.name
    if isinstance(definition, Mapping) and definition.get("type") == "function":
        return str(definition.get("name"))
    return None


_PART_TYPES = (InputText, InputImage, InputFile)


def to_output(value: Any) -> str | list[ContentPart]:
    """A tool's return value as a function call output: text as is, content parts as is
    (an image tool can return ``[InputImage(...)]``), anything else as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, _PART_TYPES):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, _PART_TYPES) for v in value):
        return list(value)
    return json.dumps(value, default=_jsonable, ensure_ascii=False)


def _jsonable(value: Any) -> Any:
    if attrs.has(type(value)):
        return attrs.asdict(value, recurse=False)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return list(value)
    return str(value)
