"""Property tests: values generated from both specs' response, item, event and request-parameter
schemas read without error into typed classes (no documented key left in ``extra_fields``, no
``Unknown*`` object) and write back equal (key order aside, modulo the documented
normalisations)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any, get_args, get_origin

import attrs
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openresponses import (
    Item,
    PluginConfig,
    Response,
    ResponseValidationError,
    StopCondition,
    StreamEvent,
    Tool,
    ToolChoice,
)
from openresponses import types as t
from openresponses._serde import parse_event, parse_response, structure, unstructure
from openresponses._serde.unions import UNKNOWN
from openresponses.types._base import WireModel

MAX_DEPTH = 4  # deeper than this, only required keys and empty arrays: keeps values small
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=6)
JSON_LEAF = st.none() | st.booleans() | st.integers(-1000, 1000) | TEXT


# -- a small JSON Schema (OpenAPI 3.1) -> hypothesis strategy generator


class Generator:
    """Strategies for the schemas of one OpenAPI document, built once per (schema, depth)."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.cache: dict[tuple[int, int], st.SearchStrategy[Any]] = {}
        # The cache is keyed by id(): keep every keyed schema alive, or a temporary dict's id is
        # reused by another schema and the cache hands back the wrong strategy.
        self.keep: list[dict[str, Any]] = []

    def named(self, name: str) -> dict[str, Any]:
        schema: dict[str, Any] = self.document["components"]["schemas"][name]
        return schema

    def _ref(self, ref: str) -> dict[str, Any]:
        node: Any = self.document
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        return dict(node)

    def alternatives(self, schema: dict[str, Any]) -> list[dict[str, Any]]:
        """The flat (no $ref/anyOf/oneOf/allOf) schemas whose union ``schema`` is."""
        if "$ref" in schema:
            siblings = {k: v for k, v in schema.items() if k not in ("$ref", "description")}
            target = self._ref(schema["$ref"])
            return self.alternatives({"allOf": [target, siblings]} if siblings else target)
        for key in ("anyOf", "oneOf"):
            if key in schema:
                rest = {k: v for k, v in schema.items() if k not in (key, "discriminator")}
                options = [self.alternatives(option) for option in schema[key]]
                flat = [alt for group in options for alt in group]
                return [_merge(alt, rest) for alt in flat] if _shape(rest) else flat
        if "allOf" in schema:
            rest = {k: v for k, v in schema.items() if k != "allOf"}
            parts = [self.alternatives(part) for part in schema["allOf"]]
            combos = list(itertools.product(*parts))
            # A combination whose parts pin one property to disjoint values (an item "type" of
            # one union and of another) matches nothing: generating it would mix two shapes.
            possible = [combo for combo in combos if not _disjoint(combo)] or combos
            return [_merge_all([*combo, rest]) for combo in possible]
        return [schema]

    def strategy(self, schema: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
        key = (id(schema), min(depth, MAX_DEPTH + 1))
        if key not in self.cache:
            self.keep.append(schema)
            self.cache[key] = st.deferred(lambda: self._build(schema, depth))
        return self.cache[key]

    def _build(self, schema: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
        alts = self.alternatives(schema)
        if depth > MAX_DEPTH:  # prefer the cheap alternatives down deep
            cheap = [a for a in alts if _is_cheap(a)]
            alts = cheap or alts
        return st.one_of([self._flat(alt, depth) for alt in alts])

    def _flat(self, schema: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
        if "const" in schema:
            return st.just(schema["const"])
        if "enum" in schema:
            return st.sampled_from(schema["enum"])
        types = schema.get("type")
        if types is None:
            if "properties" in schema or "additionalProperties" in schema:
                types = "object"
            elif "items" in schema:
                types = "array"
            else:
                return JSON_LEAF
        if isinstance(types, list):
            return st.one_of([self._typed(schema, kind, depth) for kind in types])
        return self._typed(schema, types, depth)

    def _typed(self, schema: dict[str, Any], kind: str, depth: int) -> st.SearchStrategy[Any]:
        if kind == "null":
            return st.none()
        if kind == "boolean":
            return st.booleans()
        if kind == "integer":
            return st.integers(schema.get("minimum", -(2**31)), schema.get("maximum", 2**31))
        if kind == "number":
            low, high = schema.get("minimum"), schema.get("maximum")
            return st.floats(low, high, allow_nan=False, allow_infinity=False) | st.integers(
                int(low if low is not None else -100), int(high if high is not None else 100)
            )
        if kind == "string":
            if "pattern" in schema:
                return st.from_regex(schema["pattern"], fullmatch=True).filter(
                    lambda s: len(s) <= schema.get("maxLength", 64)
                )
            low = schema.get("minLength", 0)
            return st.text(
                st.characters(blacklist_categories=("Cs",)),
                min_size=low,
                max_size=max(low, min(schema.get("maxLength", 8), 8)),
            )
        if kind == "array":
            low = schema.get("minItems", 0)
            items = self.strategy(schema.get("items", {}), depth + 1)
            return st.lists(items, min_size=low, max_size=low if depth >= MAX_DEPTH else low + 2)
        # object
        properties = schema.get("properties", {})
        required = set(schema.get("required", ())) & set(properties)
        if not properties:
            extra = schema.get("additionalProperties")
            if depth >= MAX_DEPTH or extra is False:
                return st.just({})
            values = self.strategy(extra, depth + 1) if isinstance(extra, dict) else JSON_LEAF
            return st.dictionaries(TEXT, values, max_size=2)
        optional = (
            {}
            if depth >= MAX_DEPTH
            else {
                name: self.strategy(sub, depth + 1)
                for name, sub in properties.items()
                if name not in required
            }
        )
        return st.fixed_dictionaries(
            {name: self.strategy(properties[name], depth + 1) for name in sorted(required)},
            optional=optional,
        )


def _shape(schema: dict[str, Any]) -> bool:
    return any(k in schema for k in ("properties", "required", "type", "enum", "const"))


def _is_cheap(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    return kind not in ("object", "array") and "properties" not in schema


def _values(schema: Any) -> set[Any] | None:
    """The values a flat property schema allows, if it lists them (``const`` / ``enum``)."""
    if not isinstance(schema, dict):
        return None
    if "const" in schema:
        return {schema["const"]}
    if "enum" in schema:
        return set(schema["enum"])
    options = [_values(option) for option in schema.get("anyOf", schema.get("oneOf", ()))]
    if options and all(values is not None for values in options):
        return set().union(*options)  # type: ignore[arg-type]
    return None


def _disjoint(parts: tuple[dict[str, Any], ...]) -> bool:
    """Whether two of ``parts`` allow no common value for one of their properties."""
    allowed: dict[str, set[Any]] = {}
    for part in parts:
        for name, sub in part.get("properties", {}).items():
            values = _values(sub)
            if values is None:
                continue
            if name in allowed and not allowed[name] & values:
                return True
            allowed[name] = allowed[name] & values if name in allowed else values
    return False


def _merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    return _merge_all([a, b])


def _merge_all(parts: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    properties: dict[str, Any] = {}
    required: set[str] = set()
    for part in parts:
        for name, sub in part.get("properties", {}).items():
            properties[name] = {"allOf": [properties[name], sub]} if name in properties else sub
        required |= set(part.get("required", ()))
        for key, value in part.items():
            if key in ("properties", "required"):
                continue
            if key == "type" and "type" in out:
                value = _intersect(out["type"], value)
            out[key] = value
    if properties:
        out["properties"] = properties
    if required:
        out["required"] = sorted(required)
    return out


def _intersect(a: Any, b: Any) -> Any:
    left = set(a if isinstance(a, list) else [a])
    right = set(b if isinstance(b, list) else [b])
    both = sorted(left & right) or sorted(right)
    return both if len(both) > 1 else both[0]


# -- "written back equal": key order aside, modulo the documented normalisations

# A missing (or null) declared field is written with its default: an empty value, a tag,
# "auto" for InputImage.detail, "explicit" for PromptCacheOptions.mode.
FILLED = ("", [], 0, "auto", "explicit")
TAGS = ("type", "object")  # always written: a null tag comes back as the class's tag


def assert_written_back(original: Any, written: Any, path: str = "$") -> None:
    """``written`` says what ``original`` said, modulo dropped nulls and filled-in defaults."""
    if isinstance(original, dict):
        assert isinstance(written, dict), path
        for key, value in original.items():
            if value is None:
                assert written.get(key) in (None, *FILLED) or key in TAGS, f"{path}.{key}"
            else:
                assert key in written, f"{path}.{key} lost"
                assert_written_back(value, written[key], f"{path}.{key}")
        for key in written.keys() - original.keys():
            ok = key in ("type", "object") or written[key] in FILLED
            assert ok, f"{path}.{key} added: {written[key]!r}"
    elif isinstance(original, list):
        assert isinstance(written, list), path
        assert len(written) == len(original), path
        for index, (a, b) in enumerate(zip(original, written, strict=True)):
            assert_written_back(a, b, f"{path}[{index}]")
    else:
        assert written == original, f"{path}: {written!r} != {original!r}"
        assert isinstance(written, bool) == isinstance(original, bool), path


# -- "typed": what a read left to extra_fields or to an Unknown* object

# OpenRouter's Response.output_text: the output_text property computes the same from ``output``.
KEPT_AS_EXTRA = {(t.Response, "output_text")}


def untyped(value: Any, path: str = "$") -> list[str]:
    """Where ``value`` (a read's result) kept wire data untyped: keys in ``extra_fields``, and
    ``Unknown*`` objects. A generated payload holds only documented keys and tags."""
    found: list[str] = []
    if isinstance(value, WireModel):
        cls = type(value)
        found += [f"{path}.{key}" for key in value.extra_fields if (cls, key) not in KEPT_AS_EXTRA]
        for field in attrs.fields(cls):
            if field.name != "extra_fields":
                found += untyped(getattr(value, field.name), f"{path}.{field.name}")
    elif isinstance(value, UNKNOWN):
        found.append(f"{path}: {type(value).__name__}({value.type!r})")
    elif isinstance(value, list):
        for index, entry in enumerate(value):
            found += untyped(entry, f"{path}[{index}]")
    return found


# -- fixtures: a generator per spec, and the schema families to generate from

# The request parameters that read into typed classes, and what they read as.
PARAMS: dict[str, Any] = {
    "tools": list[Tool],
    "tool_choice": ToolChoice,
    "text": t.TextConfig,
    "reasoning": t.ReasoningConfig,
    "provider": t.ProviderPreferences,
    "plugins": list[PluginConfig],
    "prompt": t.Prompt,
    "trace": t.TraceConfig,
    "debug": t.DebugOptions,
    "cache_control": t.CacheControl,
    "prompt_cache_options": t.PromptCacheOptions,
    "stream_options": t.StreamOptions,
    "stop_server_tools_when": list[StopCondition],
}


@pytest.fixture(scope="module")
def generators(openapi_specs: dict[str, Any]) -> dict[str, Generator]:
    """One Generator per spec (the specs are parsed once per session, by conftest)."""
    return {name: Generator(document) for name, document in openapi_specs.items()}


def _sse_union(generator: Generator) -> list[dict[str, Any]]:
    post = generator.document["paths"]["/responses"]["post"]
    schema = post["responses"]["200"]["content"]["text/event-stream"]["schema"]
    if "$ref" in schema:  # OpenRouter wraps the union as {data: StreamEvents}
        return [generator.named("StreamEvents")]
    return [schema]


def _alternatives(
    generators: dict[str, Generator], family: str
) -> Iterator[tuple[str, Generator, dict[str, Any]]]:
    """(label, its spec's generator, flat schema) for every alternative of a family."""
    ores, orouter = generators["openresponses"], generators["openrouter"]
    roots: dict[str, list[tuple[Generator, dict[str, Any]]]] = {
        "response": [
            (ores, ores.named("ResponseResource")),
            (orouter, orouter.named("OpenResponsesResult")),
        ],
        "item": [
            (ores, ores.named("ItemField")),
            (ores, ores.named("ItemParam")),
            (orouter, orouter.named("OutputItems")),
            (orouter, orouter.named("Inputs")["anyOf"][1]["items"]),
        ],
        "event": [(ores, s) for s in _sse_union(ores)]
        + [(orouter, s) for s in _sse_union(orouter)],
        **{
            f"param:{name}": [
                (generator, generator.named(root)["properties"][name])
                for generator, root in ((orouter, "ResponsesRequest"), (ores, "CreateResponseBody"))
                if name in generator.named(root)["properties"]
            ]
            for name in PARAMS
        },
    }
    for generator, root in roots[family]:
        for alt in generator.alternatives(root):
            props = alt.get("properties", {})
            tag = props.get("type", {})
            label = str(tag.get("const") or tag.get("enum") or alt.get("title") or "?")
            yield f"{family}:{label}", generator, alt


def _schemas(generators: dict[str, Generator], family: str) -> Iterator[tuple[str, Any]]:
    """(label, strategy) for every alternative of a family in both specs."""
    for label, generator, alt in _alternatives(generators, family):
        yield label, generator.strategy(alt)


def _spec_examples(generators: dict[str, Generator], family: str) -> list[tuple[str, Any]]:
    """(label, example) of every alternative of a family (of its items, for an array)."""
    found = []
    for label, generator, alt in _alternatives(generators, family):
        many = alt.get("type") == "array" and "items" in alt
        schemas = generator.alternatives(alt["items"]) if many else [alt]
        found += [(label, schema["example"]) for schema in schemas if "example" in schema]
    return found


def _run(
    generators: dict[str, Generator],
    family: str,
    check: Callable[[Any], None],
    examples: int,
) -> int:
    count = 0
    for label, strategy in _schemas(generators, family):
        _property(label, strategy, check, examples)()
        count += 1
    return count


def _property(
    label: str, strategy: st.SearchStrategy[Any], check: Callable[[Any], None], examples: int
) -> Callable[[], None]:
    """One hypothesis test of ``check`` over ``strategy``; failures name the schema."""

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(strategy)
    def run(value: Any) -> None:
        try:
            check(value)
        except (AssertionError, ResponseValidationError) as exc:
            raise AssertionError(f"{label}: {exc}\n{json.dumps(value)[:2000]}") from exc

    return run  # type: ignore[no-any-return]


def test_generated_events_read_and_write_back(generators: dict[str, Generator]) -> None:
    """Every event schema of both specs: generated events parse typed and write back equal."""

    def check(value: Any) -> None:
        event = parse_event(orjson.dumps(value))
        assert untyped(event) == []
        assert_written_back(value, unstructure(event))
        assert structure(unstructure(event), StreamEvent) == event  # type: ignore[arg-type]

    assert _run(generators, "event", check, examples=12) >= 70


def test_generated_items_read_and_write_back(generators: dict[str, Generator]) -> None:
    """Every output and input item schema of both specs: generated items read typed (the 19
    openrouter:* types included) and write back equal."""

    def check(value: Any) -> None:
        item = structure(value, Item)  # type: ignore[arg-type]
        assert untyped(item) == []
        assert_written_back(value, unstructure(item))
        assert structure(unstructure(item), Item) == item  # type: ignore[arg-type]

    assert _run(generators, "item", check, examples=12) >= 90


def test_generated_responses_read_and_write_back(generators: dict[str, Generator]) -> None:
    """The Response schema of both specs: generated responses read typed and write back equal."""

    def check(value: Any) -> None:
        response = parse_response(orjson.dumps(value))
        assert isinstance(response, Response)
        assert untyped(response) == []
        assert_written_back(value, unstructure(response))
        assert parse_response(unstructure(response)) == response

    assert _run(generators, "response", check, examples=60) == 2


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_generated_request_params_read_and_write_back(
    generators: dict[str, Generator], name: str
) -> None:
    """Each typed request parameter of both specs (tools with the 13 server tools' parameters,
    plugins, stop conditions, ...): generated values read typed and write back equal."""
    target = PARAMS[name]

    def check(value: Any) -> None:
        if value is None:
            return
        typed = structure(value, target)
        assert untyped(typed) == []
        assert_written_back(value, unstructure(typed))
        assert structure(unstructure(typed), target) == typed

    assert _run(generators, f"param:{name}", check, examples=40) >= 1


def test_spec_examples_read_typed_and_write_back(generators: dict[str, Generator]) -> None:
    """Every example the specs give for an item, event, response or typed request parameter
    (an element's, for a list) reads typed and writes back equal."""
    targets: dict[str, Any] = {"item": Item, "event": StreamEvent, "response": Response}
    for name, target in PARAMS.items():
        targets[f"param:{name}"] = get_args(target)[0] if get_origin(target) is list else target
    failures, count = [], 0
    for family, target in targets.items():
        for label, example in _spec_examples(generators, family):
            count += 1
            try:
                value = structure(example, target)
                assert untyped(value) == []
                assert_written_back(example, unstructure(value))
            except (AssertionError, ResponseValidationError) as exc:
                failures.append(f"{label}: {exc}")
    assert failures == []
    assert count >= 180


def test_comparator_catches_a_lost_field() -> None:
    """The round-trip comparator itself fails on a dropped or changed value."""
    with pytest.raises(AssertionError):
        assert_written_back({"a": 1, "b": {"c": "x"}}, {"a": 1, "b": {}})
    with pytest.raises(AssertionError):
        assert_written_back({"a": [1, 2]}, {"a": [1]})
    with pytest.raises(AssertionError):
        assert_written_back({"a": True}, {"a": 1})
    assert_written_back({"a": None, "b": 1.0}, {"b": 1, "type": "x"})
