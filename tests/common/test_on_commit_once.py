"""common.db.on_commit_once: a callback a transaction asks for many times runs once, after the
commit; the access log's seal and the letters' render both stand on it."""

import pytest
from django.db import transaction

from common.db import on_commit_once


class Collects:
    """A callback carrying data: any two are equal, so the first one registered collects."""

    def __init__(self, ran: list, item: str):
        self.ran, self.items = ran, [item]

    def __eq__(self, other):
        return isinstance(other, Collects)

    __hash__ = None

    def __call__(self):
        self.ran.append(list(self.items))


@pytest.mark.django_db
def test_asked_for_three_times_it_runs_once_after_the_commit(
    django_capture_on_commit_callbacks,
):
    ran = []

    def callback():
        ran.append("ran")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for _ in range(3):
            assert on_commit_once(callback) is callback
        assert ran == []  # not before the commit

    assert len(callbacks) == 1
    assert ran == ["ran"]


@pytest.mark.django_db
def test_an_equal_callback_is_handed_the_first_one_to_add_to(django_capture_on_commit_callbacks):
    ran = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = on_commit_once(Collects(ran, "a"))
        second = Collects(ran, "b")
        waiting = on_commit_once(second)
        assert waiting is first and waiting is not second
        waiting.items.append("b")

    assert len(callbacks) == 1
    assert ran == [["a", "b"]]


@pytest.mark.django_db
def test_different_callbacks_each_run(django_capture_on_commit_callbacks):
    ran = []
    with django_capture_on_commit_callbacks(execute=True):
        on_commit_once(lambda: ran.append(1))
        on_commit_once(lambda: ran.append(2))

    assert ran == [1, 2]


@pytest.mark.django_db
def test_a_savepoint_rolled_back_takes_its_callback_with_it(django_capture_on_commit_callbacks):
    ran = []

    def callback():
        ran.append("ran")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                on_commit_once(callback)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        on_commit_once(callback)  # asked for again: registered again, not thought waiting

    assert len(callbacks) == 1
    assert ran == ["ran"]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_it_runs_at_once_each_time():
    ran = []

    def callback():
        ran.append("ran")

    on_commit_once(callback)
    on_commit_once(callback)

    assert ran == ["ran", "ran"]


@pytest.mark.django_db(transaction=True)
def test_robust_a_failure_is_logged_not_raised(caplog):
    def fails():
        raise RuntimeError("the broker is down")

    with transaction.atomic():
        on_commit_once(fails, robust=True)

    assert "the broker is down" in caplog.text
