"""``askcouncil``, the command line: one entry point (``cli.main:main``), noun-verb subcommands.

One module per noun (``crawl``, ``serve`` for serve/demo/site/ask, ``evaluate``, ``report``,
``db``, ``admin``). Each module adds its parsers and, for each verb, a handler that parses its
arguments and calls one library function its package owns. No handler calls another, nothing
writes module globals, and nothing of ours imports this package (``tests/test_layers.py``).
"""
