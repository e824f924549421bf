"""Egenkontroll pages: the flags worklist, the unit manager's overview and control samples."""
