"""Rendering reports from data: labels in English and Simplified Chinese, Markdown, JSON and HTML.

Libraries build data (and `Msg` for any text a person reads); this package turns it into documents.
"""
