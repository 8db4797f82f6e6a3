"""The clinic's statistics on its patients: what happened after treatment (docs/statistics.md).

Named clinic_statistics, not statistics: a top-level package of that name would hide Python's
own `statistics` module, which Django's SQLite backend imports."""
