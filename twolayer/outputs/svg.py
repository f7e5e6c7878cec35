"""A drawing (the Computational Graph page's, a student's graph) as a standalone SVG file,
without Graphviz.

The app renders DOT in the browser; this small layered layout makes the
downloadable SVG on the server, where no Graphviz binary is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class DrawNode:
    """A node as drawn: its label lines and look."""

    id: str
    lines: tuple[str, ...]
    shape: str = "rounded"  # "rounded" (operations) or "box" (tensors)
    fill: str = "#ffffff"
    stroke: str = "#333333"
    width: int = 1


@dataclass(frozen=True)
class DrawEdge:
    """An edge as drawn; back=True puts the arrowhead at src (the gradient's direction)."""

    src: str
    dst: str
    label: str = ""
    color: str = "#333333"
    back: bool = False
    width: int = 1


CHAR_W, LINE_H, PAD, GAP_X, GAP_Y = 7.0, 15.0, 10.0, 40.0, 70.0


def ranks(node_ids: list[str], edges) -> dict[str, int]:
    """Rank of each node: the longest path to it from a node with no incoming edge; such a
    source then moves down to sit just above its first consumer (w2 beside h_relu)."""
    rank = dict.fromkeys(node_ids, 0)
    for _ in node_ids:  # a DAG settles within len(nodes) passes
        changed = False
        for edge in edges:
            if rank[edge.dst] < rank[edge.src] + 1:
                rank[edge.dst] = rank[edge.src] + 1
                changed = True
        if not changed:
            break
    targets = {}
    for edge in edges:
        targets.setdefault(edge.src, []).append(rank[edge.dst])
    has_input = {edge.dst for edge in edges}
    for node_id in node_ids:
        if node_id not in has_input and node_id in targets:
            rank[node_id] = min(targets[node_id]) - 1
    return rank


def _size(node) -> tuple[float, float]:
    width = max(len(line) for line in node.lines) * CHAR_W + 2 * PAD
    return width, len(node.lines) * LINE_H + 2 * PAD


def layout(drawn_nodes, drawn_edges) -> tuple[dict[str, tuple[float, float]], float, float]:
    """Centre of each node, and the canvas width and height."""
    rank = ranks([n.id for n in drawn_nodes], drawn_edges)
    rows: dict[int, list] = {}
    for node in drawn_nodes:
        rows.setdefault(rank[node.id], []).append(node)
    widths = {r: sum(_size(n)[0] for n in row) + GAP_X * (len(row) - 1) for r, row in rows.items()}
    # room on both sides for the edge labels, which sit beside their edges
    margin = max((len(e.label) for e in drawn_edges), default=0) * 6 + PAD
    canvas_w = max(widths.values()) + 2 * margin
    centres, y = {}, PAD
    for r in sorted(rows):
        height = max(_size(n)[1] for n in rows[r])
        x = (canvas_w - widths[r]) / 2
        for node in rows[r]:
            w, _ = _size(node)
            centres[node.id] = (x + w / 2, y + height / 2)
            x += w + GAP_X
        y += height + GAP_Y
    return centres, canvas_w, y - GAP_Y + PAD


def svg_text(drawn_nodes, drawn_edges) -> str:
    """The drawing as an SVG document."""
    centres, width, height = layout(drawn_nodes, drawn_edges)
    sizes = {n.id: _size(n) for n in drawn_nodes}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" '
             f'height="{height:.0f}" font-family="Helvetica, Arial, sans-serif" '
             'font-size="12">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" '
             'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
             '<path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker></defs>']
    parts += [_edge(e, centres, sizes) for e in drawn_edges]
    parts += [_node(n, centres[n.id], sizes[n.id]) for n in drawn_nodes]
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _edge(edge, centres, sizes) -> str:
    (x1, y1), (x2, y2) = centres[edge.src], centres[edge.dst]
    y1 += sizes[edge.src][1] / 2
    y2 -= sizes[edge.dst][1] / 2
    marker = 'marker-start="url(#arrow)"' if edge.back else 'marker-end="url(#arrow)"'
    line = (f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="{edge.color}" stroke-width="{edge.width}" {marker}/>')
    if not edge.label:
        return line
    # The label sits beside the edge, on the side it leans to, so neighbours don't collide.
    mx, my = x1 + 0.55 * (x2 - x1), y1 + 0.55 * (y2 - y1)
    anchor, dx = ("end", -6) if x1 < x2 - 1 else ("start", 6)
    return line + (f'\n<text x="{mx + dx:.1f}" y="{my:.1f}" fill="{edge.color}" '
                   f'font-size="10" text-anchor="{anchor}">{escape(edge.label)}</text>')


def _node(node, centre, size) -> str:
    (x, y), (w, h) = centre, size
    corner = 6 if node.shape == "rounded" else 0
    shape = f'<rect x="{x - w / 2:.1f}" y="{y - h / 2:.1f}" width="{w:.1f}" ' \
            f'height="{h:.1f}" rx="{corner}"'
    shape += f' fill="{node.fill}" stroke="{node.stroke}" stroke-width="{node.width}"/>'
    top = y - (len(node.lines) - 1) * LINE_H / 2 + 4
    texts = [f'<text x="{x:.1f}" y="{top + k * LINE_H:.1f}" text-anchor="middle">'
             f"{escape(line)}</text>" for k, line in enumerate(node.lines)]
    return "\n".join([shape, *texts])
