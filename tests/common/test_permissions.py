"""The helpers that enforce a rule's answer (common.permissions)."""

import pytest
from django.core.exceptions import PermissionDenied

from common.permissions import require, require_that


def test_require_refuses_with_the_rules_reason_and_lets_an_empty_one_pass():
    require("")
    with pytest.raises(PermissionDenied) as refused:
        require("Only the assessor can sign.")
    assert refused.value.args == ("Only the assessor can sign.",)


def test_require_that_refuses_what_the_rule_does_not_allow():
    require_that(True)
    with pytest.raises(PermissionDenied) as bare:
        require_that(False)
    with pytest.raises(PermissionDenied) as said:
        require_that(False, "The clinical lead co-signs.")
    assert bare.value.args == ()
    assert said.value.args == ("The clinical lead co-signs.",)
