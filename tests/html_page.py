"""Reading server-rendered HTML in tests: start tags with their attributes, and the text.

A ``<script type="application/json">`` block is data (the page's words for its scripts):
the browser never runs it and nobody reads it, so its text is not the page's text and
``scripts`` leaves it out."""

from __future__ import annotations

from html.parser import HTMLParser

DATA_BLOCK = "application/json"


class Elements(HTMLParser):
    """Every start tag with its attributes, and the page's text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.data_blocks: list[str] = []
        self._in_data_block = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_data_block = tag == "script" and dict(attrs).get("type") == DATA_BLOCK

    def handle_endtag(self, tag: str) -> None:
        self._in_data_block = False

    def handle_data(self, data: str) -> None:
        (self.data_blocks if self._in_data_block else self.text).append(data)

    @property
    def scripts(self) -> list[dict[str, str | None]]:
        """The script elements the browser runs."""
        return [a for a in self.all("script") if a.get("type") != DATA_BLOCK]

    def all(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag
                and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    @property
    def plain_text(self) -> str:
        return " ".join(" ".join(self.text).split())
