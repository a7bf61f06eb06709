"""A second, independent JUnit consumer: junitparser (the library behind several CI reporters) must read the
report, and every count the report states must match the test cases it holds."""
import sys

from junitparser import Error, Failure, JUnitXml, Skipped

xml = JUnitXml.fromfile(sys.argv[1])
problems = []
total = {"tests": 0, "failures": 0, "errors": 0}
for suite in xml:
    cases = list(suite)
    failures = sum(1 for case in cases for result in case.result if isinstance(result, Failure))
    errors = sum(1 for case in cases for result in case.result if isinstance(result, Error))
    skipped = sum(1 for case in cases for result in case.result if isinstance(result, Skipped))
    for name, stated, counted in [("tests", suite.tests, len(cases)), ("failures", suite.failures, failures),
                                  ("errors", suite.errors, errors), ("skipped", suite.skipped, skipped)]:
        if stated != counted:
            problems.append(f"suite {suite.name}: {name}={stated} but {counted} cases")
    total["tests"] += len(cases)
    total["failures"] += failures
    total["errors"] += errors
    if any(not case.name or not case.classname for case in cases):
        problems.append(f"suite {suite.name}: a case without name or classname")
for name, counted in total.items():
    stated = int(xml._elem.get(name))
    if stated != counted:
        problems.append(f"testsuites: {name}={stated} but {counted} cases")
print("\n".join(problems) if problems else f"ok {total['tests']} cases {total['failures']} failures {total['errors']} errors")
sys.exit(1 if problems else 0)
