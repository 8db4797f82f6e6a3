"""Records kept as written: a signed-off version, a document on the file. Saved once, never
changed and never deleted by hand; a change is a new version or a new record, and the rows go
only with their file at the end of its retention (privacy.retention, which deletes below the
models)."""


class Final(Exception):
    """This record is kept as written."""


class WrittenOnce:
    """A model mixin: the first save writes the row; any later save, or a delete, raises
    Final."""

    final_message = "This record is kept as written: write a new one instead."

    def save(self, *args, **kwargs):
        if not self._state.adding:  # type: ignore[attr-defined]
            raise Final(self.final_message)
        super().save(*args, **kwargs)  # type: ignore[misc]

    def delete(self, *args, **kwargs):
        raise Final(self.final_message)
