from airlake.preflight.finding import Finding, Severity
from airlake.preflight.rollup import roll_up


def _f(
    path: str, line: int, message: str, severity: Severity = Severity.ERROR, **kw: str
) -> Finding:
    return Finding(
        "PF201", severity, path, line, message, kw.get("fix", "the fix"), kw.get("replacement")
    )


def test_one_cause_per_distinct_problem_with_count_and_places() -> None:
    moved = "`airflow.operators.python_operator` does not exist on mwaa-3.0.6"
    findings = [_f(f"dags/d{n:02d}.py", 3, moved) for n in range(50)]
    findings += [_f("dags/d00.py", 3, moved)]  # a second name on the same line: the same place
    findings += [_f("dags/x.py", 1, "`airflow.contrib.x` does not exist", Severity.WARNING)]
    causes = roll_up(findings)
    assert [c.count for c in causes] == [50, 1]
    assert causes[0].message == moved and causes[0].fixes == ("the fix",)
    assert causes[0].where(3) == "dags/d00.py:3, dags/d01.py:3, dags/d02.py:3 and 47 more"


def test_errors_come_first_and_generated_code_splits_causes() -> None:
    livy = "LivyOperator: needs a Livy server"
    findings = [
        _f("dags/a.py", 5, livy, Severity.WARNING, replacement="job A"),
        _f("dags/b.py", 5, livy, Severity.WARNING, replacement="job A"),
        _f("dags/c.py", 5, livy, Severity.WARNING, replacement="job B"),
        _f("dags/c.py", 1, "gone", Severity.ERROR),
    ]
    causes = roll_up(findings)
    assert causes[0].severity is Severity.ERROR
    assert sorted((c.replacement, c.count) for c in causes[1:]) == [("job A", 2), ("job B", 1)]
