"""Rasa's check of the action server's answers, with the schema checked once instead of per call.

Rasa validates every answer of the action server (`RemoteAction._validate_action_result`) with
`jsonschema.validate`, which first checks the schema itself against its metaschema: with
jsonschema 4.17 (Draft 2020-12, `$dynamicRef`) that self-check was 19 % of the Rasa server's
CPU in a profile under load (docs/benchmarks.md, "make bench-chat"), more than TED's prediction.
The schema is Rasa's own constant, so here the validator is built (and the schema checked) once;
answers are checked exactly as before, with the same error and message.

Installed when Rasa loads the REST channel (bot/channels/rest.py), the channel every app turn
and the backend's calls use.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def _validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(_action: RemoteAction, result: dict[str, Any]) -> bool:
    """What `jsonschema.validate(result, schema)` does in Rasa's method, minus the schema check."""
    error = best_match(_validator().iter_errors(result))
    if error is None:
        return True
    if isinstance(error, ValidationError):
        error.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
    raise error


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result
