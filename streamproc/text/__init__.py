"""Text handling shared by the classifier and the entity linker."""
