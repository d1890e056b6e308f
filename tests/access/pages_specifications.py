from .expectations import Page, public, staff  # noqa: F401

PAGES: dict[str, Page] = {}
