"""Explanations at their edges: a value that cannot be read, a status with no text; what the full mutation
run (docs/mutation.md) found unchecked."""
import copy

import pytest

from server.contract import request as schemas
from server.judging import rulings

from tests import demo

# The demo rules, with an `unknown` text that reads the registry value it lacks and no `not_applicable` text.
RULES = demo.RULES.replace(
    "unknown: {en: The quota could not be read., ru: Квота неизвестна.}",
    'unknown: {en: "Remaining: {quota.remaining}.", ru: "Осталось: {quota.remaining}."}',
).replace("      not_applicable: {en: Not seasonal work., ru: Не сезонная работа.}\n", "")


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return demo.book_of(tmp_path_factory.mktemp("texts"), RULES)


@pytest.mark.parametrize("lang, unknown", [("en", "Remaining: ?."), ("ru", "Осталось: ?.")])
def test_a_value_an_explanation_cannot_read_shows_as_a_question_mark_and_a_status_without_text_as_nothing(
        book, lang, unknown):
    request = copy.deepcopy(demo.DEFAULTS)
    request["application"]["region"] = "NOWHERE"
    del request["registry"]["quota"]
    ruling = rulings.judge(book, schemas.load(schemas.RulingRequestSchema(), request), lang=lang)
    assert ruling["language"] == lang
    assert [(f["requirement"], f["status"], f["explanation"]) for f in ruling["findings"]] == [
        ("quota-available", "unknown", unknown), ("seasonal-cap", "not_applicable", "")]
