"""REST API (/api/v1/): the same door, the same services and the same access log as the pages."""
