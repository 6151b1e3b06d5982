"""Plain tables shown in the notebooks (sim.views.readable): headers and values in the current
language, numbers and dates as that language writes them."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.views import i18n
from sim.views.readable import header, readable


@pytest.fixture
def language():
    before = i18n.get_language()
    yield i18n.set_language
    i18n.set_language(before)


DONATION = pd.DataFrame({"donation_id": ["LA23-002"], "date": ["2023-09-11"], "kind": ["device"], "device": ["tablet"],
                         "quantity": ["1200"], "status": ["pledged"], "band 1": [171], "devices_moved": [1184]})


def test_a_donation_in_vietnamese(language):
    language("vi")
    shown = readable(DONATION)
    assert list(shown.columns) == ["mã tài trợ", "ngày", "loại", "thiết bị", "số lượng", "trạng thái", "nhóm 1",
                                   "số máy dịch chuyển"]
    assert shown.iloc[0].tolist() == ["LA23-002", "11/09/2023", "thiết bị", "máy tính bảng", "1.200", "đã cam kết", "171",
                                      "1.184"]


def test_a_donation_in_english(language):
    language("en")
    shown = readable(DONATION)
    assert list(shown.columns) == ["donation", "date", "kind", "device", "quantity", "status", "band 1", "devices moved"]
    assert shown.iloc[0].tolist() == ["LA23-002", "11 Sep 2023", "device", "tablet", "1,200", "pledged", "171", "1,184"]


def test_learner_statuses_rates_and_sweep_columns(language):
    language("vi")
    frame = pd.DataFrame({"status": ["near_poor"], "grade": ["higher"], "rate": [0.4636], "run": [3],
                          "realised.devices.tablet.in_stock": [2687], "covered_band_2": [5]})
    shown = readable(frame)
    assert list(shown.columns) == ["đối tượng", "lớp", "tỷ lệ", "lần chạy", "máy tính bảng được tặng, thực nhận",
                                   "được hỗ trợ, nhóm 2"]
    assert shown.iloc[0].tolist() == ["hộ cận nghèo", "CĐ/ĐH", "46,4%", "3", "2.687", "5"]


def test_a_column_the_catalogue_does_not_name_stays_as_it_is(language):
    language("vi")
    assert header("something new") == "something new"
