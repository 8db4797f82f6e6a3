"""Fill a page's form as a browser would: what the page offers, not what the test assumes.

page = client.get(url)
data = browser_form(page)                      # the values the browser would send as is
data["appointment"] = offered(page, "appointment")[0]   # pick one of the options offered
client.post(url, data)
"""

from html.parser import HTMLParser


class _Form(HTMLParser):
    def __init__(self, index: int):
        super().__init__()
        self.index, self.seen = index, -1
        self.inside = self.in_main = False
        self.values: dict[str, list[str]] = {}
        self.options: dict[str, list[str]] = {}
        self._select: str | None = None
        self._select_chosen = self._multiple = False
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "main":
            self.in_main = True
        if tag == "form" and self.in_main and attrs.get("method", "get").lower() == "post":
            self.seen += 1
            self.inside = self.seen == self.index
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("radio", "checkbox"):
                self.options.setdefault(name, []).append(attrs.get("value", "on"))
                if "checked" in attrs:
                    self.values.setdefault(name, []).append(attrs.get("value", "on"))
            elif kind not in ("submit", "button", "reset", "file"):
                self.values.setdefault(name, []).append(attrs.get("value", ""))
        elif tag == "select" and name:
            self._select, self._select_chosen = name, False
            self._multiple = "multiple" in attrs
            self.options.setdefault(name, [])
            self.values.pop(name, None)
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            self.options[self._select].append(value)
            # the browser sends the selected option, or else the first one
            if self._multiple:
                if "selected" in attrs:
                    self.values.setdefault(self._select, []).append(value)
            elif "selected" in attrs and not self._select_chosen:
                self.values[self._select] = [value]
                self._select_chosen = True
            elif self._select not in self.values:
                self.values[self._select] = [value]
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = [""]

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main = False
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # HTML drops the newline that follows <textarea>
            text = self.values[self._textarea][0]
            self.values[self._textarea][0] = text[1:] if text.startswith("\n") else text
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][0] += data


def _parse(response, index: int) -> _Form:
    parser = _Form(index)
    parser.feed(response.content.decode())
    assert parser.seen >= index, f"the page has no POST form number {index}"
    return parser


def browser_form(response, index: int = 0) -> dict[str, list[str] | str]:
    """What the browser would post from a POST form of the page's main content (the first by
    default; the header's log-out and the footer's language forms are not counted)."""
    values = _parse(response, index).values
    return {name: items if len(items) > 1 else items[0] for name, items in values.items()}


def offered(response, name: str, index: int = 0) -> list[str]:
    """The values a select, radio group or checkbox set offers (empty choices left out)."""
    return [value for value in _parse(response, index).options.get(name, []) if value != ""]
