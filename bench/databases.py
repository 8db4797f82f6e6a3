"""The database server itself, for the benchmarks that make their own databases."""

import os


def server(sql: str) -> None:
    """One statement on the database server, outside the bench database (CREATE, DROP)."""
    import psycopg
    from dj_database_url import parse

    config = parse(os.environ["DATABASE_URL"])
    with psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        connection.execute(sql)
