"""Opening hours read as council pages write them, and England and Wales bank holidays."""

from datetime import date

from askcouncil.hours import bank_holidays, read_hours


def test_hours_as_pages_write_them() -> None:
    assert read_hours("Monday to Friday: 8:30am - 5pm").spec == {"mon-fri": "08:30-17:00"}
    assert read_hours("9am to 1pm on Saturday").spec == {"sat": "09:00-13:00"}
    assert read_hours("24-hour service").spec == "24/7"
    assert read_hours("Saturday and Sunday, 10am to 4pm").spec == {"sat-sun": "10:00-16:00"}
    assert read_hours("open from 5pm to 9am") is None  # no days: not read as hours
    assert read_hours("Monday to Friday, 5pm to 9am") is None  # closes before it opens


def test_bank_holidays_follow_the_substitute_day_rules() -> None:
    assert bank_holidays(2027) == [date(2027, 1, 1), date(2027, 3, 26), date(2027, 3, 29),
                                   date(2027, 5, 3), date(2027, 5, 31), date(2027, 8, 30),
                                   date(2027, 12, 27), date(2027, 12, 28)]
    assert bank_holidays(2022)[-2:] == [date(2022, 12, 26), date(2022, 12, 27)]  # Sunday
    assert bank_holidays(2021)[-2:] == [date(2021, 12, 27), date(2021, 12, 28)]  # Saturday
