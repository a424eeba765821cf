"""The browser app (``commentkit serve``): pages over the same core the commands use.

Only ``commentkit serve`` imports this package (it loads starlette and uvicorn).
"""
