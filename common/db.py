"""Query expressions that any app may use."""

from django.db.models import BooleanField, Expression, F


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
