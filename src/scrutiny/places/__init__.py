"""Places: where the things a leak mentions are, worked out offline. Facility registers that
researchers have mapped, and the geography that turns a GPS point (from a photo's EXIF, a
register or a record) into a county, prefecture and nearest town from data files shipped in
installed packages, never from a network service (see :mod:`scrutiny.places.geo`)."""
