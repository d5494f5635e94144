"""The catalogue of hostile inputs, one file per family: the shared machinery is catalogue.py."""
