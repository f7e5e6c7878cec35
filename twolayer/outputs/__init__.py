"""What leaves the package: Plotly figures (runs in, figures out) and downloadable files.

- figures: loss curves, overlays, differences, the lock-step, exercise and
  grading charts
- export: loss histories (CSV), the configuration (JSON), final weights (NPZ), file tags
- svg: a drawing (nodes and edges) as a standalone SVG file, without Graphviz
"""
