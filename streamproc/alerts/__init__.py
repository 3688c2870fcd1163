"""The output contract: a versioned alert document (``schemas/alert.schema.json``)."""
