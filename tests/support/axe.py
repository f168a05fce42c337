"""The accessibility check of the browser tests: axe-core (shipped inside the ``axe-playwright-python``
package, so nothing is fetched) runs in the page, open shadow roots included (the widget), and a test
fails on any serious or critical violation, with axe's own report of what and where."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.async_playwright import Axe

BLOCKING = {"serious", "critical"}
_axe = Axe()


async def assert_accessible(page: Any, context: Any = None) -> None:
    """Run axe-core on ``page`` (or on ``context``: a selector, or axe's include/exclude object) and
    fail with each blocking violation's rule, impact, help text and the elements it names."""
    results = await _axe.run(page, context=context)
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(
            f"    {' '.join(map(str, node['target']))}: {node.get('failureSummary', '')}"
            for node in v["nodes"]
        )
        for v in blocking
    )
    assert not blocking, f"axe-core found {len(blocking)} serious or critical violation(s):\n{report}"
