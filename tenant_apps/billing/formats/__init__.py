"""Pure billing formats: DGFiP Datamatrix, PES V2 ORMC, régie CSV export, invoice PDFs.

Nothing here touches the database: callers (the billing app) build the plain dataclasses
of `documents.py`, `pes.py` and `regie_csv.py` and get bytes or strings back. Every choice
that is not verified against an official DGFiP text lives in `dgfip_choices.py`
(see ../shared/specs/finance.md §1.7 and appendix A)."""
