"""Property tests: values generated from both specs' response, item and event schemas read
without error and write back equal (key order aside, modulo the documented normalisations)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openresponses import Item, Response, ResponseValidationError, StreamEvent
from openresponses._serde import parse_event, parse_response, structure, unstructure

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
            return [_merge_all([*combo, rest]) for combo in itertools.product(*parts)]
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


def assert_written_back(original: Any, written: Any, path: str = "$") -> None:
    """``written`` says what ``original`` said, modulo dropped nulls and filled-in defaults."""
    if isinstance(original, dict):
        assert isinstance(written, dict), path
        for key, value in original.items():
            if value is None:
                assert written.get(key) in (None, *FILLED), f"{path}.{key}"
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


# -- fixtures: a generator per spec, and the schema families to generate from


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


def _schemas(generators: dict[str, Generator], family: str) -> Iterator[tuple[str, Any]]:
    """(label, flat schema) for every alternative of a family in both specs."""
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
    }
    for generator, root in roots[family]:
        for alt in generator.alternatives(root):
            props = alt.get("properties", {})
            tag = props.get("type", {})
            label = str(tag.get("const") or tag.get("enum") or alt.get("title") or "?")
            yield f"{family}:{label}", generator.strategy(alt)


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
    """Every event schema of both specs: generated events parse and write back equal."""

    def check(value: Any) -> None:
        event = parse_event(orjson.dumps(value))
        assert_written_back(value, unstructure(event))
        assert structure(unstructure(event), StreamEvent) == event  # type: ignore[arg-type]

    assert _run(generators, "event", check, examples=12) >= 70


def test_generated_items_read_and_write_back(generators: dict[str, Generator]) -> None:
    """Every output and input item schema of both specs: generated items read and write back."""

    def check(value: Any) -> None:
        item = structure(value, Item)  # type: ignore[arg-type]
        assert_written_back(value, unstructure(item))
        assert structure(unstructure(item), Item) == item  # type: ignore[arg-type]

    assert _run(generators, "item", check, examples=12) >= 90


def test_generated_responses_read_and_write_back(generators: dict[str, Generator]) -> None:
    """The Response schema of both specs: generated responses read and write back equal."""

    def check(value: Any) -> None:
        response = parse_response(orjson.dumps(value))
        assert isinstance(response, Response)
        assert_written_back(value, unstructure(response))
        assert parse_response(unstructure(response)) == response

    assert _run(generators, "response", check, examples=60) == 2


def test_comparator_catches_a_lost_field() -> None:
    """The round-trip comparator itself fails on a dropped or changed value."""
    with pytest.raises(AssertionError):
        assert_written_back({"a": 1, "b": {"c": "x"}}, {"a": 1, "b": {}})
    with pytest.raises(AssertionError):
        assert_written_back({"a": [1, 2]}, {"a": [1]})
    with pytest.raises(AssertionError):
        assert_written_back({"a": True}, {"a": 1})
    assert_written_back({"a": None, "b": 1.0}, {"b": 1, "type": "x"})
