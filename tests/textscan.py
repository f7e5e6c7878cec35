"""What a visitor reads on a page run in AppTest, and the runs of English words in it.

Every string an element carries (labels, help, options, bodies, captions, errors, page
links) is read from its protobuf, and a Plotly chart's titles, names and hover text from
its spec. Code is not text to translate: code blocks, `inline code` and $math$ are left out.
"""

import json
import re

from google.protobuf.json_format import MessageToDict

SKIP_KEYS = {"id", "formId", "key", "type", "spec", "config", "theme", "dataframeSchema",
             "data", "pageScriptHash", "page", "url", "iconName", "icon", "format",
             "language", "default", "value", "rawValue", "src", "width", "height",
             "selectionMode", "useContainerWidth", "autoSize", "arrowData", "styler",
             "columns", "placeholder_value", "defaultValue"}
CODE_ELEMENTS = {"code"}
WORD = r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z]+)*"
RUN = re.compile(rf"(?<![\w.`/\\-]){WORD}(?:[ ,;:]+{WORD}){{3,}}(?![\w(`/])")
FIGURE_TEXT = ("text", "name", "hovertemplate", "title")


def prose(text: str) -> str:
    """text without its code: fenced blocks, `spans`, $math$, links' addresses."""
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\$\$.*?\$\$|\$[^$\n]*\$", " ", text, flags=re.S)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    return re.sub(r"<[^>]+>", " ", text)


def _strings(value, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in SKIP_KEYS:
                _strings(item, out)
    elif isinstance(value, list):
        for item in value:
            _strings(item, out)


def _figure_strings(spec: dict, out: list[str]) -> None:
    def walk(value, key=None):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and key in FIGURE_TEXT:
            out.append(re.sub(r"%\{[^}]*\}", " ", value))
    walk(spec.get("data", []))
    walk(spec.get("layout", {}))


def texts(at) -> list[str]:
    """Every text of the page's elements (main, sidebar), code left out."""
    out: list[str] = []

    def visit(node):
        proto = getattr(node, "proto", None)
        kind = getattr(node, "type", "")
        if proto is not None and kind not in CODE_ELEMENTS:
            found: list[str] = []
            _strings(MessageToDict(proto), found)
            out.extend(prose(text) for text in found)
            if kind == "plotly_chart":
                _figure_strings(json.loads(proto.spec), out)
        for child in getattr(node, "children", {}).values():
            visit(child)

    visit(at._tree)
    return out


def english_runs(at, kept: tuple[str, ...] = ()) -> list[str]:
    """Runs of four or more English words in what the page shows (kept: allowed runs)."""
    runs = []
    for text in texts(at):
        for kept_text in kept:
            text = text.replace(kept_text, " ")
        runs += [match.group(0) for match in RUN.finditer(text)]
    return runs


def chinese(at) -> list[str]:
    """Texts of the page with Chinese characters in them."""
    return [text for text in texts(at) if re.search(r"[\u4e00-\u9fff]", text)]
