"""wenshan-audit: audit Chinese government draft documents (公文) before they go out."""

__version__ = "0.1.0"
