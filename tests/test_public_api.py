"""The public surface: a sorted, complete ``__all__``, a version matching the metadata, one
error root, and docstrings that say what the options mean."""

from __future__ import annotations

import importlib.metadata
import inspect

import openresponses


def test_all_is_sorted() -> None:
    """``__all__`` is sorted the way the interpreter sorts strings."""
    assert list(openresponses.__all__) == sorted(openresponses.__all__)


def test_all_is_complete() -> None:
    """Every public class and function importable from the root is listed in ``__all__``."""
    public = {
        name
        for name, value in vars(openresponses).items()
        if not name.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and getattr(value, "__module__", "").startswith("openresponses")
    }
    assert public <= set(openresponses.__all__)


def test_all_names_exist() -> None:
    """Every name in ``__all__`` resolves on the package."""
    missing = [name for name in openresponses.__all__ if not hasattr(openresponses, name)]
    assert missing == []


def test_version_matches_metadata() -> None:
    """``__version__`` is the installed distribution's version."""
    assert openresponses.__version__ == importlib.metadata.version("openresponses")


def test_errors_share_one_root() -> None:
    """Every exception class exported derives from ``OpenResponsesError``."""
    errors = [
        getattr(openresponses, name)
        for name in openresponses.__all__
        if inspect.isclass(getattr(openresponses, name))
        and issubclass(getattr(openresponses, name), BaseException)
    ]
    assert errors
    assert all(issubclass(cls, openresponses.OpenResponsesError) for cls in errors)


def test_timeout_docstring_says_total_is_per_attempt() -> None:
    """Timeout's docstring says total bounds one attempt and total_budget the whole call."""
    doc = openresponses.Timeout.__doc__ or ""
    assert "one attempt" in doc
    assert "total_budget" in doc


def test_lazy_table_rows_are_their_modules_all() -> None:
    """Each lazily exported module's ``__all__`` is exactly its row of the root's lazy table."""
    import importlib

    for module, names in openresponses._LAZY.items():
        loaded = importlib.import_module(module, "openresponses")
        assert sorted(loaded.__all__) == sorted(names), module


def test_lazy_names_load_on_first_use() -> None:
    """A lazily exported name is its module's object, and is then a plain attribute."""
    import importlib

    for name, module in openresponses._MODULE_OF.items():
        value = getattr(openresponses, name)
        assert value is getattr(importlib.import_module(module, "openresponses"), name)
        assert name in vars(openresponses)
