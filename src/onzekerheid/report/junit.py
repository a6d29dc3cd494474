"""``check`` results as JUnit XML, so CI services show every check as a test.

One ``<testsuite>`` per scenario file and variant, one ``<testcase>`` per check; a failed check
carries a ``<failure>`` with its value and Monte Carlo standard error. No timestamps or host
names: with the default fixed seed the file is byte-identical from run to run, so it can be
compared or committed. Schema: the de-facto JUnit format read by Jenkins, GitLab and GitHub
test reporters (testsuites > testsuite > testcase > failure).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .files import write_text
from .guard import Guard


def suite_name(document: dict[str, Any]) -> str:
    """``file`` or ``file [variant]``."""
    variant = document.get("variant")
    return f"{document['file']} [{variant}]" if variant else str(document["file"])


def _value(x: Any) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "not a number"
    return f"{x:.6g}"


def junit_xml(documents: Sequence[dict[str, Any]]) -> str:
    """The XML text for ``check`` documents (``{"file", "variant"?, "passed", "iterations",
    "seed", "checks": [{"expect", "value", "passed", "mcse"}]}``)."""
    import xml.etree.ElementTree as ET  # lazy (tests/test_architecture.py LAZY)

    total = sum(len(d["checks"]) for d in documents)
    failed = sum(not c["passed"] for d in documents for c in d["checks"])
    root = ET.Element("testsuites", name="onzekerheid check", tests=str(total),
                      failures=str(failed), errors="0")
    for document in documents:
        checks = document["checks"]
        suite = ET.SubElement(root, "testsuite", name=suite_name(document),
                              tests=str(len(checks)),
                              failures=str(sum(not c["passed"] for c in checks)),
                              errors="0", skipped="0")
        properties = ET.SubElement(suite, "properties")
        for key in ("file", "variant", "iterations", "seed"):
            if document.get(key) is not None:
                ET.SubElement(properties, "property", name=key, value=str(document[key]))
        for check in checks:
            case = ET.SubElement(suite, "testcase", classname=suite_name(document),
                                 name=check["expect"])
            detail = f"value {_value(check['value'])} (MCSE {_value(check.get('mcse'))})"
            if not check["passed"]:
                failure = ET.SubElement(case, "failure", message=f"{check['expect']}: {detail}",
                                        type="CheckFailed")
                failure.text = (f"{check['expect']} does not hold: {detail}, "
                                f"{document['iterations']} iterations, seed {document['seed']}")
            else:
                ET.SubElement(case, "system-out").text = detail
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_junit(documents: Sequence[dict[str, Any]], path: Path, guard: Guard | None = None
                ) -> None:
    """Write :func:`junit_xml` atomically (``guard``: the command's, see :mod:`.files`)."""
    write_text(junit_xml(documents), path, guard)
