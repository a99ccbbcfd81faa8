"""How a lot trace names the documents its moves belong to."""

from erp_adapter.trace import _reference
from twin.domain.plan import action_key


def test_a_plan_reference_shows_as_its_line_count_and_others_as_they_are() -> None:
    keys = [action_key("transfer", "WH-A", "WH-B", i) for i in range(26)]
    assert _reference(" ".join(keys)) == " (medtwin plan, 26 lines)"
    assert _reference(keys[0]) == " (medtwin plan, 1 line)"
    assert _reference("OPEN-WH-SH>WH-GZ:road") == " ref OPEN-WH-SH>WH-GZ:road"
    assert _reference(None) == ""
