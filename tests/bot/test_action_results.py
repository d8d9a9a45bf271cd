"""Rasa's check of the action server's answers (bot/channels/action_results.py): what passed
before passes, what failed fails with the same error, and the schema is checked only once."""

from __future__ import annotations

from unittest import mock

import jsonschema
import pytest
from channels import action_results, rest  # noqa: F401  (importing the channel installs it)
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

GOOD = {
    "events": [{"event": "slot", "name": "kwh", "value": 350}],
    "responses": [{"text": "Khoảng 979.560 đ", "buttons": []}],
}
BAD = [{"events": "not a list"}, {"events": [{"no_event_key": 1}]}, {"responses": [5]}]


def action() -> RemoteAction:
    return RemoteAction("action_estimate_bill", None)


def test_the_rest_channel_installs_it():
    assert RemoteAction._validate_action_result is action_results.validate_action_result


@pytest.mark.parametrize("answer", [GOOD, {}, {"events": [], "responses": []}])
def test_valid_answers_pass(answer):
    assert action()._validate_action_result(answer) is True


@pytest.mark.parametrize("answer", BAD)
def test_invalid_answers_fail_as_rasa_made_them_fail(answer):
    schema = RemoteAction.action_response_format_spec()
    with pytest.raises(ValidationError) as theirs:
        jsonschema.validate(answer, schema)
    with pytest.raises(ValidationError) as ours:
        action()._validate_action_result(answer)
    assert ours.value.path == theirs.value.path
    assert ours.value.message.startswith(theirs.value.message)
    assert "Failed to validate Action server response" in ours.value.message


def test_the_schema_is_checked_once_not_per_answer():
    action_results._validator.cache_clear()
    validator_class = type(action_results._validator())
    with mock.patch.object(validator_class, "check_schema") as check:
        for _ in range(5):
            action()._validate_action_result(GOOD)
    check.assert_not_called()
