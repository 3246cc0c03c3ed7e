"""A synthetic monthly Annex A export with planted defects and the manifest of what they cause."""
