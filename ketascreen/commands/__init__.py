"""One module per command, named after it: `ketascreen export` is `commands/export.py`.

Each command is a function that takes typed arguments and returns its result (text, rows, files
written) or raises an error from `ketascreen.errors`. None of them prints: `ketascreen.cli` parses
the arguments, shows the result, says the warnings (passed in as a `Warn` function) and turns
errors into exit statuses. The interview's questions and answers are the one exception, and they
live in `ketascreen.interview`.
"""

from __future__ import annotations

from collections.abc import Callable

Warn = Callable[[str], None]  # says a warning to the user, "ketascreen: " first, on standard error
