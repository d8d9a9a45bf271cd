from __future__ import annotations

from datetime import date

import pytest

from backend.extensions import db
from backend.models import WeatherObservation


def write(tmp_path, text: str) -> str:
    path = tmp_path / "weather.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_is_an_idempotent_upsert(app, tmp_path):
    runner = app.test_cli_runner()
    first = runner.invoke(
        args=[
            "weather",
            "import",
            write(tmp_path, "province_code,date,avg_temp_c\n1,2026-06-01,31.5\n79,2026-06-01,29\n"),
        ]
    )
    assert first.exit_code == 0 and "imported 2" in first.output
    runner.invoke(
        args=[
            "weather",
            "import",
            write(tmp_path, "province_code,date,avg_temp_c\n1,2026-06-01,33\n"),
        ]
    )
    assert db.session.query(WeatherObservation).count() == 2
    assert db.session.get(WeatherObservation, (1, date(2026, 6, 1))).avg_temp_c == 33


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("province,date,avg_temp_c\n1,2026-06-01,30\n", "missing column"),
        (
            "province_code,date,avg_temp_c\n1,2026-06-01,30\n2,2026-06-01,30\n",
            "line 3: unknown province code 2",
        ),
        ("province_code,date,avg_temp_c\n1,2026-06-31,30\n", "line 2"),
        ("province_code,date,avg_temp_c\n1,2026-06-01,71\n", "outside"),
    ],
)
def test_bad_rows_name_the_line_and_nothing_is_imported(app, tmp_path, text, message):
    result = app.test_cli_runner().invoke(args=["weather", "import", write(tmp_path, text)])
    assert result.exit_code != 0 and message in result.output
    assert db.session.query(WeatherObservation).count() == 0


def test_a_file_that_is_not_utf8_is_refused_with_a_message(app, tmp_path):
    path = tmp_path / "weather.csv"
    path.write_bytes(b"province_code,date,avg_temp_c\n1,2026-06-01,30\n1,2026-06-02,\xb030\n")
    result = app.test_cli_runner().invoke(args=["weather", "import", str(path)])
    assert result.exit_code != 0 and "UTF-8" in result.output
    assert db.session.query(WeatherObservation).count() == 0
