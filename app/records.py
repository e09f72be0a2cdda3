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

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import ColumnProperty, Mapper
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


@cache
def _columns(model: type) -> tuple[ColumnProperty[Any], ...]:
    return tuple(sa.inspect(model).column_attrs)


@cache
def record_columns(model: type) -> tuple[sa.ColumnElement[Any], ...]:
    """The columns of each mapped column attribute of `model`, in the mapper's order: what a
    statement selects for `model`'s records (`fetch_records`)."""
    return tuple(attr.columns[0] for attr in _columns(model))


@cache
def columns_of(model: type, alias: str, dialect: Dialect) -> tuple[sa.ColumnElement[Any], ...]:
    """`record_columns(model)` as the columns of a subquery named `alias` (a lateral of the
    model's rows) by name: the subquery's own column collection costs more to build for each
    request's statement than the rest of a page (cProfile, bench/cpu.py's lists)."""
    return tuple(_named(c, alias, dialect) for c in record_columns(model))


def column_of(model: type, alias: str, attr: str, dialect: Dialect) -> sa.ColumnElement[Any]:
    """The column of `model`'s attribute `attr` in a subquery named `alias`, by name (as
    `columns_of` names them all)."""
    return _named(sa.inspect(model).column_attrs[attr].columns[0], alias, dialect)


def _named(column: Any, alias: str, dialect: Dialect) -> sa.ColumnElement[Any]:
    quote = dialect.identifier_preparer.quote
    return sa.literal_column(f"{quote(alias)}.{quote(column.name)}", column.type)


def record_maker(
    model: type, compiled: SQLCompiler, dialect: Dialect, offset: int = 0
) -> Callable[[Any], Record]:
    """The row→record constructor of a compiled statement whose result columns, from
    `offset` on, include each mapped column of `model`, found by the column object as the
    ORM's own loading finds them."""
    results = compiled._result_columns[offset:]
    positions = []
    for attr in _columns(model):
        column = attr.columns[0]
        at = next((i for i, rc in enumerate(results) if any(o is column for o in rc.objects)), None)
        if at is None:
            raise ValueError(f"{model.__name__}.{attr.key} is not a column of the statement")
        positions.append(offset + at)
    return _maker(model, dialect, tuple(positions), optional=False)


@cache
def _maker(
    model: type, dialect: Dialect, positions: tuple[int, ...], *, optional: bool
) -> Callable[[Any], Any]:
    """The row→record constructor for `model`'s mapped columns at `positions` of a row: each
    value through the result processor of the column's type for the dialect (the one the
    ORM's result applies: enums as enums). `optional`: an outer-joined entity, None when its
    primary key is (as the ORM gives it)."""
    cls = record_class(model)
    mapper: Mapper[Any] = sa.inspect(model)
    setters: list[str] = []
    env: dict[str, Any] = {"new": object.__new__, "cls": cls}
    for attr, at in zip(_columns(model), positions, strict=True):
        processor = attr.columns[0].type._cached_result_processor(dialect, None)
        value = f"r[{at}]"
        if processor is not None:
            env[f"p_{attr.key}"] = processor
            value = f"p_{attr.key}({value})"
        env[f"s_{attr.key}"] = getattr(cls, attr.key).__set__
        setters.append(f"    s_{attr.key}(o, {value})")
    absent = ""
    if optional:
        primary = {mapper.get_property_by_column(c).key for c in mapper.primary_key}
        columns = zip(_columns(model), positions, strict=True)
        keys = [at for attr, at in columns if attr.key in primary]
        absent = f"    if {' and '.join(f'r[{at}] is None' for at in keys)}:\n        return None\n"
    source = (
        "def make(r):\n" + absent + "    o = new(cls)\n" + "\n".join(setters) + "\n    return o\n"
    )
    # Built from the mapper's own attribute keys: one function, no loop per row.
    exec(source, env)
    make: Callable[[Any], Any] = env["make"]
    return make


async def fetch_records(
    session: Any, stmt: sa.Select[Any], models: Sequence[type]
) -> list[tuple[Any, ...]]:
    """The rows of `stmt`, built for this request, as records: its columns are, in turn, the
    `record_columns` of each of `models` (the first the statement's own rows, the others
    outer-joined: None where absent). Compiled through the engine's compiled cache (by the
    statement's cache key, as SQLAlchemy executes it), run on the session's own connection."""
    compiled, sql, args = _compiled(session, stmt)
    make = row_records(models, compiled, session.get_bind().dialect)
    return [make(r) for r in await DriverStatement(sql).fetch(session, *args)]


def row_records(
    models: Sequence[type], compiled: SQLCompiler, dialect: Dialect
) -> Callable[[Any], tuple[Any, ...]]:
    """A row's records, for a statement whose columns are, in turn, the `record_columns` of
    each of `models` (the first the statement's own rows, the others outer-joined: None
    where absent)."""
    makers, offset = [], 0
    for i, model in enumerate(models):
        n = len(_columns(model))
        makers.append(_maker(model, dialect, tuple(range(offset, offset + n)), optional=i > 0))
        offset += n
    if len(compiled._result_columns) != offset:
        raise ValueError("the statement's columns are not those of its models' records")
    return lambda r: tuple(make(r) for make in makers)


async def fetch_rows(session: Any, stmt: sa.Select[Any]) -> list[Any]:
    """The driver's own rows of `stmt` (values as asyncpg decodes them, no type processing:
    for columns the statement itself has made plain, such as text), compiled and run as
    `fetch_records` runs its statements."""
    _, sql, args = _compiled(session, stmt)
    return list(await DriverStatement(sql).fetch(session, *args))


def _compiled(session: Any, stmt: sa.Select[Any]) -> tuple[SQLCompiler, str, list[Any]]:
    bind = session.get_bind()
    compiled, extracted, collected, _ = stmt._compile_w_cache(
        bind.dialect, compiled_cache=getattr(bind, "_compiled_cache", None), column_keys=[]
    )
    assert isinstance(compiled, SQLCompiler)
    sql, args = _positional(compiled, extracted, collected)
    return compiled, sql, args


def _positional(compiled: SQLCompiler, extracted: Any, collected: Any) -> tuple[str, list[Any]]:
    """The statement's text and positional parameters for one execution, as SQLAlchemy's
    execution context makes them (DefaultExecutionContext._init_compiled): the values of
    this statement's own bind parameters, lists expanded, each through its bind processor."""
    params = compiled.construct_params(
        extracted_parameters=extracted, escape_names=False, _collected_params=collected
    )
    sql, names = compiled.string, list(compiled.positiontup or ())
    processors: Mapping[str, Any] = compiled._bind_processors
    if compiled.literal_execute_params or compiled.post_compile_params:
        state = compiled._process_parameters_for_postcompile(params)
        sql, names = state.statement, list(state.positiontup or ())
        processors = {**processors, **state.processors}
    assert names is not None
    return sql, [processors[n](params[n]) if n in processors else params[n] for n in names]


_REQUIRED = object()


class BoundStatement:
    """A Core statement compiled once for the dialect to the driver's SQL (positional
    parameters), run on a session's own connection (app/db.py DriverStatement). Its
    parameters are those of the statement's bindparams, by name, sent through their types'
    bind processors as SQLAlchemy would; a bindparam that holds no value must be given."""

    def __init__(self, stmt: sa.Select[Any] | sa.CompoundSelect, dialect: Dialect):
        compiled = stmt.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler) and compiled.positiontup is not None
        sql, names = compiled.string, list(compiled.positiontup)
        processors: Mapping[str, Any] = compiled._bind_processors
        fixed = compiled.construct_params(_check=False, escape_names=False)
        if compiled.literal_execute_params or compiled.post_compile_params:
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
        self.compiled = compiled
        self.driver = DriverStatement(sql)
        self.args: tuple[tuple[str, Any, Callable[[Any], Any] | None], ...] = tuple(
            (name, _REQUIRED if name in required else fixed[name], processors.get(name))
            for name in names
        )

    def bind(self, params: Mapping[str, Any]) -> list[Any]:
        args: list[Any] = []
        for name, default, processor in self.args:
            value = params[name] if name in params or default is _REQUIRED else default
            args.append(value if processor is None else processor(value))
        return args

    async def fetch(self, session: Any, params: Mapping[str, Any]) -> list[Any]:
        """The driver's own rows."""
        return await self.driver.fetch(session, *self.bind(params))


class RecordStatement(BoundStatement):
    """A statement of `model`'s rows compiled once (`BoundStatement`), its rows read as
    records."""

    def __init__(self, stmt: sa.Select[Any] | sa.CompoundSelect, model: type, dialect: Dialect):
        super().__init__(stmt, dialect)
        self.make = record_maker(model, self.compiled, dialect)

    async def records(self, session: Any, params: Mapping[str, Any]) -> list[Any]:
        make = self.make
        return [make(r) for r in await self.fetch(session, params)]
