"""Record linkage: reference databases, comparison features, the Splink model, review."""
