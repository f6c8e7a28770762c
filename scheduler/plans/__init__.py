"""Plan documents to ledger: deadlines, clauses, units, the ledger itself and its importers."""
