"""The people-facing layer: command line, (later) drafting service, local API and Qt GUI."""
