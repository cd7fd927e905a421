"""The external contract's shapes: `request` validates what clients send
(marshmallow, the one definition), `response` describes what is sent back."""
