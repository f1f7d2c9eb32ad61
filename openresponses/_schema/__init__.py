"""JSON schemas from Python type hints, and the strict reader that turns JSON back into those types.

``function_tool`` (a function's parameters) and structured output (an attrs class) both use it. The
schema and the reader walk the same hints, so the reader accepts what the schema allows and nothing
else: no coercion of ``"5"`` to ``5``, no unknown keys, no missing required keys (in strict mode
every key is required, a key with a default too). The leniencies a caller opts into are for
providers that ignore ``strict``: a plain JSON object for a ``dict`` (always accepted), and
``missing_defaults=True``, which lets an object leave out the keys that have defaults.

Strict mode follows the rules of strict function calling and strict ``json_schema`` output: every
object lists all its properties as required and sets ``additionalProperties: false``; a parameter
with a default becomes a nullable union (the model sends ``null`` to mean "use the default"); and
since a free-form ``dict[str, X]`` cannot be written under those rules, it travels as a list of
``{"key", "value"}`` pairs that the reader turns back into a dict.

``fields`` holds what both walk (the ``Field`` of a parameter or an attribute, the hint kinds),
``docstrings`` reads the descriptions, ``schemas`` writes the schema and ``reader`` reads JSON.
"""

from .docstrings import parse_docstring
from .fields import REQUIRED, Field, SchemaMismatch, attrs_fields, signature_fields
from .reader import read_fields, read_value
from .schemas import class_schema, object_schema

__all__ = [
    "REQUIRED",
    "Field",
    "SchemaMismatch",
    "attrs_fields",
    "class_schema",
    "object_schema",
    "parse_docstring",
    "read_fields",
    "read_value",
    "signature_fields",
]
