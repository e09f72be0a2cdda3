"""Read-only records of a model's rows, read on the driver: for the hot reads of a query, where
SQLAlchemy's ORM loading (identity map, instance state, attribute events) and its execution
layers cost several times what the statement does (bench/cpu.py's org shape).

A record has the mapped column attributes of its model, under the ORM's names and with the
values the ORM would give (the statement's own result types turn the driver's values into
enums and the like, as the ORM's result does); nothing else: no relationships, no session,
no identity map, and it refuses to be changed. A query's resolvers read a record wherever
they read the entity; a mutation always loads entities (`RecordStatement` is for queries).
tests/orgs/test_records.py holds every mapped column of each model served here to the ORM."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import ColumnProperty
from sqlalchemy.sql.compiler import SQLCompiler

from app.db import DriverStatement


class Record:
    """A row of `model`, read-only. Compared and hashed by identity, as entities are."""

    __slots__ = ()
    model: ClassVar[type]

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(
            f"a {self.model.__name__} record is read-only: load the entity to change it"
        )

    __delattr__ = __setattr__  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<{self.model.__name__} record id={getattr(self, 'id', None)!r}>"


@cache
def record_class(model: type) -> type[Record]:
    """The record class of a mapped model: a slot for each of its mapped column attributes."""
    keys = tuple(attr.key for attr in _columns(model))
    return type(
        f"{model.__name__}Record",
        (Record,),
        {"__slots__": keys, "model": model, "__module__": __name__},
    )


def _columns(model: type) -> list[ColumnProperty[Any]]:
    return list(sa.inspect(model).column_attrs)


def record_maker(
    model: type, compiled: SQLCompiler, dialect: Dialect, offset: int = 0
) -> Callable[[Any], Record]:
    """The row→record constructor of a compiled statement whose result columns, from
    `offset` on, include each mapped column of `model` (found by the column object, as the
    ORM's own loading does): the value at that position through the result processor of the
    statement's type for it, the one the ORM's result applies."""
    cls = record_class(model)
    results = compiled._result_columns[offset:]
    setters: list[str] = []
    env: dict[str, Any] = {"new": object.__new__, "cls": cls}
    for attr in _columns(model):
        column = attr.columns[0]
        at = next((i for i, rc in enumerate(results) if any(o is column for o in rc.objects)), None)
        if at is None:
            raise ValueError(f"{model.__name__}.{attr.key} is not a column of the statement")
        processor = results[at].type._cached_result_processor(dialect, None)
        value = f"r[{offset + at}]"
        if processor is not None:
            env[f"p_{attr.key}"] = processor
            value = f"p_{attr.key}({value})"
        env[f"s_{attr.key}"] = getattr(cls, attr.key).__set__
        setters.append(f"    s_{attr.key}(o, {value})")
    source = "def make(r):\n    o = new(cls)\n" + "\n".join(setters) + "\n    return o\n"
    # Built from the mapper's own attribute keys: one function, no loop per row.
    exec(source, env)
    make: Callable[[Any], Record] = env["make"]
    return make


_REQUIRED = object()


class RecordStatement:
    """A Core statement of `model`'s rows compiled once for the dialect to the driver's SQL
    (positional parameters), run on a session's own connection (app/db.py DriverStatement),
    its rows read as records. Its parameters are those of the statement's bindparams, by
    name, sent through their types' bind processors as SQLAlchemy would."""

    def __init__(self, stmt: sa.Select[Any] | sa.CompoundSelect, model: type, dialect: Dialect):
        compiled = stmt.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler) and compiled.positiontup is not None
        sql, names = compiled.string, list(compiled.positiontup)
        processors: Mapping[str, Any] = compiled._bind_processors
        fixed = compiled.construct_params(_check=False, escape_names=False)
        if compiled.post_compile_params:
            # The statement's own lists (`IN (...)` of values it holds) rendered now, as
            # SQLAlchemy renders them at each execution; one the caller gives is not known.
            if any(b.required for b in compiled.post_compile_params):
                raise ValueError("a list parameter is rendered per execution: not here")
            state = compiled._process_parameters_for_postcompile(dict(fixed))
            sql, names, processors = (
                state.statement,
                list(state.positiontup or ()),
                state.processors,
            )
            fixed = dict(state.parameters)
        required = {name for name, b in compiled.binds.items() if b.required}
        self.driver = DriverStatement(sql)
        self.args: tuple[tuple[str, Any, Callable[[Any], Any] | None], ...] = tuple(
            (name, _REQUIRED if name in required else fixed[name], processors.get(name))
            for name in names
        )
        self.make = record_maker(model, compiled, dialect)

    async def records(self, session: Any, params: Mapping[str, Any]) -> list[Any]:
        args: list[Any] = []
        for name, default, processor in self.args:
            value = params[name] if name in params or default is _REQUIRED else default
            args.append(value if processor is None else processor(value))
        make = self.make
        return [make(r) for r in await self.driver.fetch(session, *args)]
