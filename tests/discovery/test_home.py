"""Opening the store through the application keeps Alembic's INFO lines out of logs."""

import logging

from discovery.home import open_store


def test_opening_a_store_logs_no_alembic_lines_but_our_upgrade_line(tmp_path, caplog):
    with caplog.at_level(logging.INFO):
        open_store(tmp_path / "home").close()
        open_store(tmp_path / "home").close()
    names = {record.name for record in caplog.records}
    assert not any(name.startswith("alembic") for name in names)
    assert any("schema upgraded" in record.getMessage() for record in caplog.records)
