"""The app's entry: its pages, one list (twolayer.ui.frame.PAGES); the one asked for runs.

    streamlit run streamlit_app.py
"""

from twolayer import ui

ui.navigation().run()
