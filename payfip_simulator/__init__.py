"""A local stand-in for the DGFiP's PayFiP service (see app.py). No Django, no database."""
