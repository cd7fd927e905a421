"""The external contract's shapes, defined once in marshmallow: `request` validates
what clients send and words every error, `response` is what every answer is dumped
through (and what the OpenAPI description publishes). `fastpath` and `fastdump` are
msgspec structs generated from those schemas, for speed; they decide nothing alone."""
