"""The filing form as a browser posts it, read from the page's HTML: shared by the tests and
the write benchmark (no Django import, so a benchmark client can use it)."""

from html.parser import HTMLParser


class FilingFormFields(HTMLParser):
    """What a browser posts from the filing page's form (#filing-form): inputs (checked boxes
    only), textareas and selected options."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self.inside = False
        self.textarea = self.select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == "filing-form":
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") != "submit":
            if a.get("type") in ("radio", "checkbox") and "checked" not in a:
                return
            self.data[name] = a.get("value") or ""
        elif tag == "textarea":
            self.textarea = name
            self.data[name] = ""
        elif tag == "select":
            self.select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self.select and "selected" in a:
            self.data[self.select] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.inside = False

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] += data
