"""Read-only queries behind browsing a case a page at a time (the web workbench's lists and
detail pages): items, person records. Keyset pagination, so page 20,000 of a million
records costs what page 1 does."""
