"""Query strings the API reads: a diff's versions, a page of one application's rulings."""
from marshmallow import ValidationError, fields, validate

from adapters.fields import Text
from server.contract.request import Strict


DiffQuerySchema = Strict.from_dict(
    {"from": Text(required=True), "to": Text(required=True)}, name="DiffQuerySchema"
)


class QueryCount(fields.Integer):
    """A whole number in a query string: ASCII digits only (int() alone would take " 5", "1_0" or "٥")."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and not (value.isascii() and value.isdigit()):
            raise ValidationError("Not a valid integer.")
        return super()._deserialize(value, attr, data, **kwargs)


PAGE_SIZE, MAX_PAGE_SIZE = 20, 100

ReferenceQuerySchema = Strict.from_dict({
    "reference": Text(required=True),
    "limit": QueryCount(load_default=PAGE_SIZE, validate=validate.Range(1, MAX_PAGE_SIZE),
                        metadata={"description": "rulings per page"}),
    "cursor": Text(load_default=None, metadata={"description": "the previous page's `next`, as it was sent"}),
}, name="ReferenceQuerySchema")
