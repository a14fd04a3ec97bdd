"""The Qt (PySide6) GUI. The only package allowed to import PySide6 (import-linter checks)."""
