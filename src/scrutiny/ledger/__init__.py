"""The corroboration ledger: claims, the evidence for and against them, and their derived
status (``model``), kept append-only in the catalog (``store``), derived from the leak and
the judged matches (``auto``), and exchanged with field teams as CSV sheets (``sheet``)."""
