"""Frozen records: dataclasses whose methods are written once, here, for every class.

`@dataclass(frozen=True)` writes the source of six methods for each class (`__init__`,
`__repr__`, `__eq__`, `__hash__`, `__setattr__`, `__delattr__`) and compiles them when the
module is imported: for the thirty-odd classes a command imports, about a fifth of a quick
command's time (README "Performance"). A `@record` class is a dataclass all the same
(`dataclasses.fields`, `replace` and `asdict` work on it, pydantic validates it, mypy
checks it as a frozen dataclass) and behaves as a frozen one: same constructor, same
equality, hash and repr (a field with `compare=False` or `repr=False` is left out of them
as a dataclass leaves it out), `FrozenInstanceError` on assignment, `__post_init__` called.
"""

from __future__ import annotations

import dataclasses
import reprlib
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_options: Any) -> Any:
        return lambda decorator: decorator


T = TypeVar("T")
_MISSING = dataclasses.MISSING


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def record(cls: type[T]) -> type[T]:
    """`cls` as a frozen dataclass with the shared methods below."""
    # Without a docstring, dataclass writes one from object.__init__'s signature, which
    # inspect reads by parsing its text: slower than all the rest of a record together.
    undocumented = not cls.__doc__
    if undocumented:
        cls.__doc__ = cls.__name__
    made = dataclasses.dataclass(init=False, repr=False, eq=False)(cls)
    fields = dataclasses.fields(made)  # type: ignore[arg-type]
    if undocumented:
        made.__doc__ = f"{cls.__name__}({', '.join(item.name for item in fields)})"
    defaulted = ""
    for item in fields:
        if not item.init or item.kw_only is True or item.hash is not None:
            raise TypeError(f"{cls.__name__}.{item.name}: a record field takes no such option")
        has_default = item.default is not _MISSING or item.default_factory is not _MISSING
        if defaulted and not has_default:
            raise TypeError(f"{cls.__name__}: {item.name!r} needs a default after {defaulted!r}")
        defaulted = defaulted or (item.name if has_default else "")
    made.__record__ = tuple(  # type: ignore[attr-defined]
        (item.name, item.default, item.default_factory) for item in fields
    )
    made.__record_names__ = tuple(item.name for item in fields)  # type: ignore[attr-defined]
    compared = tuple(item.name for item in fields if item.compare)
    made.__record_compared__ = compared  # type: ignore[attr-defined]
    made.__record_shown__ = tuple(item.name for item in fields if item.repr)  # type: ignore[attr-defined]
    for name, method in _METHODS.items():
        if name not in cls.__dict__:
            setattr(made, name, method)
    return made


def _init(self: Any, *args: Any, **kwargs: Any) -> None:
    """The dataclass constructor: fields by position or name, defaults, `__post_init__`."""
    kind = type(self)
    names = kind.__record_names__
    if len(args) == len(names) and not kwargs:
        # Every field in order, as the message coach builds tens of thousands of findings.
        vars(self).update(zip(names, args, strict=True))
    else:
        _given(self, kind, args, kwargs)
    if hasattr(kind, "__post_init__"):
        self.__post_init__()


def _given(self: Any, kind: type, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Fields given partly by name or left to their defaults."""
    spec = kind.__record__  # type: ignore[attr-defined]
    if len(args) > len(spec):
        raise TypeError(f"{kind.__name__}() takes {len(spec)} arguments but {len(args)} were given")
    given = {spec[index][0]: value for index, value in enumerate(args)}
    for name in kwargs:
        if name in given:
            raise TypeError(f"{kind.__name__}() got multiple values for argument {name!r}")
    given.update(kwargs)
    state = {}
    for name, default, factory in spec:
        if name in given:
            state[name] = given.pop(name)
        elif factory is not _MISSING:
            state[name] = factory()
        elif default is not _MISSING:
            state[name] = default
        else:
            raise TypeError(f"{kind.__name__}() missing required argument {name!r}")
    if given:
        raise TypeError(f"{kind.__name__}() got an unexpected argument {next(iter(given))!r}")
    vars(self).update(state)


def _values(self: Any) -> tuple[Any, ...]:
    return tuple(getattr(self, name) for name in self.__record_compared__)


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        return _values(self) == _values(other)
    return NotImplemented


def _hash(self: Any) -> int:
    return hash(_values(self))


@reprlib.recursive_repr()
def _repr(self: Any) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__record_shown__)
    return f"{type(self).__qualname__}({shown})"


def _setattr(self: Any, name: str, value: Any) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def _delattr(self: Any, name: str) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


_METHODS = {
    "__init__": _init,
    "__repr__": _repr,
    "__eq__": _eq,
    "__hash__": _hash,
    "__setattr__": _setattr,
    "__delattr__": _delattr,
}
