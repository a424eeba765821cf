"""commentkit: write public comments on U.S. federal rulemakings."""

__version__ = "0.1.0"
