"""What a person sees: terminal text, charts, widgets, rendered reports, words in two languages.

The core never imports this package.
"""
