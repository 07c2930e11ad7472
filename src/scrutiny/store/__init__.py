"""The evidence store: content-addressed blobs, the SQLite catalog, the custody log, crypto."""
