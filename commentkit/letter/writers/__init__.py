"""Writers: document model → files.

* ``commentkit.letter.writers.docx.write_docx(doc, path, reference_docx=None)`` — Word
* ``commentkit.letter.writers.markdown.write_markdown(doc, path)`` — Markdown (``render_markdown``)
* ``commentkit.letter.writers.text.write_text(doc, path)`` — plain text (``render_text``)

Import the submodule you need; this package imports nothing heavy.
"""
