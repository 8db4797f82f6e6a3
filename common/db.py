"""Query expressions and helpers that any app may use."""

import contextlib
from collections.abc import Callable, Iterator
from typing import TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import BooleanField, Expression, F, Field, Model, QuerySet

_Callback = TypeVar("_Callback", bound=Callable[[], object])


class AnyOf(Expression):
    """`field IN (ids)`, for a list of ids read beforehand (a clinician's patients, a page's
    rows): `qs.filter(AnyOf("patient_id", ids))`, alone or within a Q.

    On PostgreSQL the list travels as one array parameter (`field = ANY(%s)`), which the
    planner treats exactly as an IN list. Django's `__in` makes one parameter per id: with a
    few hundred, preparing them and the statement's text cost more than the query itself
    (3 ms a query, docs/performance.md). Elsewhere, a plain IN list."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, field: str, ids):
        super().__init__()
        self.column = F(field)
        self.ids = list(ids)

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, exprs):
        (self.column,) = exprs

    def as_sql(self, compiler, connection):
        column, params = compiler.compile(self.column)
        if connection.vendor == "postgresql":
            return f"{column} = ANY(%s)", (*params, self.ids)
        if not self.ids:
            return "1 = 0", params
        return f"{column} IN ({', '.join(['%s'] * len(self.ids))})", (*params, *self.ids)


@contextlib.contextmanager
def planned_for_their_values(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Statements run inside are not prepared: PostgreSQL plans each for the values it is
    given, every time, as on a connection's first runs.

    A prepared statement (config/settings/base.py: every statement a connection runs again)
    is planned for its values five times, then PostgreSQL keeps a generic plan, made without
    them, if it looks no dearer. For a statement whose best plan depends on its values that
    plan can be far worse: the clinic agenda of one clinician among 400 started walking the
    week's 20,000 sessions instead of the clinician's own bookings, 130 to 160 ms instead of
    35 to 50 (docs/performance.md). Planning again costs a millisecond or two. Only psycopg's
    decision changes (its `prepare_threshold`, for this connection and the time of the block):
    no statement is sent for it, so query counts stay as they are."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    driver = connection.connection
    kept = driver.prepare_threshold
    driver.prepare_threshold = None
    try:
        yield
    finally:
        driver.prepare_threshold = kept


def counts(**querysets: QuerySet) -> dict[str, int]:
    """How many rows each queryset holds, read in one statement, each count a subquery: a page
    that shows several counts pays one round trip, not one each (about a millisecond of
    Django and the driver per query, docs/performance.md). All on one database."""
    selects, params = [], []
    using = {queryset.db for queryset in querysets.values()}
    for queryset in querysets.values():
        query = queryset.order_by().query  # a copy
        query.select_related = False  # the joins it would add are not counted
        try:
            sql, args = query.get_compiler(using=queryset.db).as_sql()
        except EmptyResultSet:  # .none(), an empty __in: nothing to count
            selects.append("0")
            continue
        # Django's own SQL for the queryset, its values kept apart as parameters.
        selects.append(f"(SELECT COUNT(*) FROM ({sql}) counted_{len(selects)})")  # noqa: S608
        params.extend(args)
    if all(select == "0" for select in selects):
        return dict.fromkeys(querysets, 0)
    (database,) = using
    with connections[database].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        return dict(zip(querysets, cursor.fetchone(), strict=True))


def on_commit_once(
    callback: _Callback, *, robust: bool = False, using: str = DEFAULT_DB_ALIAS
) -> _Callback:
    """Run `callback` once after the outermost transaction commits, however many times the
    transaction asks for it (one seal of the access log for fifty events written, one render
    for the ten letters signed). Outside a transaction it runs at once, as with
    transaction.on_commit, which this is otherwise.

    "The same callback" is one that compares equal (`==`): a function is only ever itself; a
    callback that carries data (the ids to render) may define equality so that the first one
    registered collects the data of the later ones. Returns the callback that will run: the
    one given, or the equal one registered earlier in this transaction, which the caller adds
    to. (Dropped with the savepoint that registered it, like any on_commit callback.)"""
    connection = connections[using]
    if connection.in_atomic_block:
        for _savepoints, waiting, _robust in connection.run_on_commit:
            if waiting == callback:
                return waiting
    transaction.on_commit(callback, robust=robust, using=using)
    return callback


def max_length_of(model: type[Model], field_name: str) -> int:
    """The most characters a text field of `model` holds: what a service's own message says
    before full_clean would refuse the text."""
    field = model._meta.get_field(field_name)
    if not isinstance(field, Field) or field.max_length is None:
        raise TypeError(f"{model._meta.label}.{field_name} has no max_length")
    return field.max_length
