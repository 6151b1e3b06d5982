"""Words the views show, in Vietnamese (the default) or English, switched by one setting.

``set_language("en")`` in code, or ``SIM_LANG=en`` in the environment before Python starts,
switches every label, chart title, table header and message of the explorer, the charts and the
rendered reports. Numbers follow the language too: Vietnamese writes 1.234.567 and 46,4%.
Plain data (tables written to disk, summary.json) never changes with the language.

>>> before = get_language()
>>> set_language("vi"); t("covered"), number(2958), percent(0.4636)
('được hỗ trợ', '2.958', '46,4%')
>>> set_language("en"); t("covered"), number(2958), percent(0.4636)
('covered', '2,958', '46.4%')
>>> set_language(before)
"""

from __future__ import annotations

import os
import unicodedata

from sim.core.rules import BAND_LABELS, BAND_LABELS_VI, BANDS, HIGHER, HIGHER_LABELS, STATUS_LABELS

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
ENV_VAR = "SIM_LANG"

# key -> {language: text}; ``{name}`` placeholders are filled by ``t(key, name=...)``.
MESSAGES: dict[str, dict[str, str]] = {
    # groups of learners
    "band": {"vi": "nhóm ưu tiên", "en": "priority band"},
    "district": {"vi": "huyện", "en": "district"},
    "grade": {"vi": "lớp", "en": "grade"},
    "status": {"vi": "đối tượng", "en": "status"},
    "item": {"vi": "hạng mục", "en": "item"},
    "pupils": {"vi": "số người học", "en": "pupils"},
    "covered": {"vi": "được hỗ trợ", "en": "covered"},
    "rate": {"vi": "tỷ lệ", "en": "rate"},
    "all_districts": {"vi": "toàn tỉnh", "en": "all districts"},
    "covered_of": {"vi": "{covered} / {pupils}", "en": "{covered} of {pupils}"},
    # the existing charts
    "chart_band_title": {"vi": "Người học được hỗ trợ theo nhóm ưu tiên: {covered} / {pupils}",
                         "en": "Learners covered by priority band: {covered} of {pupils}"},
    "chart_district_title": {"vi": "Tỷ lệ được hỗ trợ theo huyện (được hỗ trợ / số người học)",
                             "en": "Coverage by district (covered / pupils)"},
    "chart_grade_title": {"vi": "Tỷ lệ được hỗ trợ theo lớp", "en": "Coverage by grade"},
    "chart_band_rate_title": {"vi": "Tỷ lệ được hỗ trợ theo nhóm ưu tiên", "en": "Coverage by priority band"},
    "chart_money_title": {"vi": "Tiền mua theo hạng mục (triệu đồng)", "en": "Money spent buying each item (million VND)"},
    "chart_stock_title": {"vi": "Còn lại trong kho (chiếc, suất)", "en": "Stock left (units)"},
    "baseline_marks": {"vi": "Cột xanh đậm: kịch bản đang xem; vạch đen: kịch bản gốc",
                       "en": "Dark bars: this scenario; black ticks: the baseline"},
    "axis_learners": {"vi": "người học", "en": "learners"},
    "axis_share": {"vi": "tỷ lệ người học đủ điều kiện được hỗ trợ", "en": "share of eligible learners covered"},
    "legend_pupils": {"vi": "đủ điều kiện", "en": "pupils"},
    "legend_covered": {"vi": "được hỗ trợ", "en": "covered"},
    "nothing": {"vi": "không có", "en": "none"},
    # money and stock table
    "given": {"vi": "đã trao", "en": "given"},
    "bought": {"vi": "mua mới", "en": "bought"},
    "from_stock": {"vi": "lấy từ kho", "en": "from stock"},
    "stock_left": {"vi": "còn trong kho", "en": "stock left"},
    "money_spent": {"vi": "tiền mua (đồng)", "en": "money spent (VND)"},
    # comparison
    "baseline": {"vi": "kịch bản gốc", "en": "baseline"},
    "this_scenario": {"vi": "kịch bản đang xem", "en": "this scenario"},
    "covered_baseline": {"vi": "được hỗ trợ (gốc)", "en": "covered (baseline)"},
    "covered_scenario": {"vi": "được hỗ trợ (đang xem)", "en": "covered (this scenario)"},
    "change": {"vi": "chênh lệch", "en": "change"},
    "rate_baseline": {"vi": "tỷ lệ (gốc)", "en": "rate (baseline)"},
    "rate_scenario": {"vi": "tỷ lệ (đang xem)", "en": "rate (this scenario)"},
    "rate_change": {"vi": "chênh lệch tỷ lệ (điểm %)", "en": "change in rate (points)"},
    "chart_delta_band_title": {"vi": "Chênh lệch số người học được hỗ trợ so với kịch bản gốc, theo nhóm",
                               "en": "Change in learners covered against the baseline, by band"},
    "chart_delta_district_title": {"vi": "Chênh lệch theo huyện", "en": "Change by district"},
    "axis_delta": {"vi": "người học (+ nhiều hơn, − ít hơn)", "en": "learners (+ more, − fewer)"},
    # explorer controls
    "budget_million": {"vi": "Ngân sách (triệu đồng)", "en": "Budget (million VND)"},
    "in_stock": {"vi": "được tặng", "en": "donated"},
    "price_thousand": {"vi": "đơn giá (nghìn đồng)", "en": "unit price (thousand VND)"},
    "grades_suited": {"vi": "dùng cho lớp", "en": "suits grades"},
    "data_monthly_thousand": {"vi": "Cước data mỗi tháng (nghìn đồng)", "en": "Data per month (thousand VND)"},
    "data_months": {"vi": "Số tháng data", "en": "Months of data"},
    "mode": {"vi": "Cách ưu tiên", "en": "Priority mode"},
    "mode_strict": {"vi": "lần lượt từng nhóm", "en": "strict, band by band"},
    "mode_weighted": {"vi": "theo trọng số", "en": "weighted"},
    "weights": {"vi": "Trọng số nhóm (chỉ dùng khi ưu tiên theo trọng số)",
                "en": "Band weights (used in weighted mode only)"},
    "weight_of": {"vi": "Nhóm {band}", "en": "Band {band}"},
    "within_band": {"vi": "Trong một nhóm", "en": "Within a band"},
    "within_equal_rate": {"vi": "tỷ lệ đều nhau", "en": "equal rates"},
    "within_max_count": {"vi": "nhiều người học nhất", "en": "most learners"},
    "language": {"vi": "Ngôn ngữ", "en": "Language"},
    "tab_fairness": {"vi": "Công bằng", "en": "Fairness"},  # a tab title: short, or it is cut
    "district_floor_percent": {"vi": "Mức sàn mỗi huyện (% người học được hỗ trợ; 0 = không có)",
                               "en": "District floor (% of learners covered; 0 = none)"},
    "floor_scope": {"vi": "Mức sàn tính trên", "en": "The floor counts"},
    "scope_overall": {"vi": "mọi người học của huyện", "en": "all the district's learners"},
    "scope_band": {"vi": "từng nhóm ưu tiên của huyện", "en": "each priority band of the district"},
    "fairness_rule": {"vi": "Chia mỗi nhóm giữa các huyện", "en": "Share each band across districts"},
    "rule_none": {"vi": "không có quy tắc riêng", "en": "no district rule"},
    "rule_maxmin": {"vi": "nâng huyện thấp nhất, trong từng nhóm (max-min)", "en": "raise the lowest, band by band (max-min)"},
    "rule_leximin": {"vi": "nâng lần lượt các huyện thấp nhất, trong từng nhóm (leximin)", "en": "raise the lowest, then the next, band by band (leximin)"},
    "rule_alpha": {"vi": "α-công bằng, trong từng nhóm", "en": "α-fair, band by band"},
    "alpha": {"vi": "α (0 = nhiều người học nhất, 1 = tỷ lệ, tối đa 5)",
              "en": "α (0 = most learners, 1 = proportional, up to 5)"},
    "fairness_note": {"vi": "Mức sàn: mỗi huyện được hỗ trợ ít nhất tỷ lệ này số người học đủ điều kiện (tính trên cả "
                            "huyện hoặc trên từng nhóm ưu tiên); khi không đủ tiền, các huyện thấp nhất được nâng lên "
                            "trước. Tính trên cả huyện, mức sàn có thể lấy tiền của nhóm 1 để hỗ trợ người học rẻ hơn "
                            "ở nhóm sau. Kế hoạch có quy tắc công bằng cần nhiều lần giải hơn nên tính lâu hơn.",
                      "en": "Floor: every district covers at least this share of its eligible learners (of all of "
                            "them, or of each priority band); when money is short the lowest districts are raised "
                            "first. Counted over the whole district, a floor can take money from band 1 to cover "
                            "cheaper learners of later bands. Plans with fairness rules take more solves, so longer."},
    "fairness_line": {"vi": "Huyện có tỷ lệ thấp nhất: {worst} ({low}); cao nhất: {best} ({high}).",
                      "en": "Lowest district rate: {worst} ({low}); highest: {best} ({high})."},
    "floor_met": {"vi": "Mọi huyện đạt mức sàn {floor}.", "en": "Every district reaches the floor of {floor}."},
    "floor_met_band": {"vi": "Mọi nhóm ưu tiên của mọi huyện đạt mức sàn {floor}.",
                       "en": "Every priority band of every district reaches the floor of {floor}."},
    "floor_unmet": {"vi": "Chưa đạt mức sàn {floor} ở {count} nơi (không đủ tiền và máy, hoặc máy nguyên chiếc): {places}.",
                    "en": "The floor of {floor} is not reached in {count} places (money and stock too short, or "
                          "whole devices): {places}."},
    "band_in_district": {"vi": "{district} (nhóm {band})", "en": "{district} (band {band})"},
    "fairness_price": {"vi": "Người học được hỗ trợ: {covered}, so với {without} khi không có quy tắc công bằng ({change}).",
                       "en": "Learners covered: {covered}, against {without} without the fairness rules ({change})."},
    "floor_mark": {"vi": "mức sàn {floor}", "en": "floor {floor}"},
    "solving": {"vi": "Đang tính lại…", "en": "Solving…"},
    "tab_money": {"vi": "Tiền và giá", "en": "Money and prices"},
    "tab_stock": {"vi": "Thiết bị", "en": "Devices"},
    "tab_policy": {"vi": "Cách ưu tiên", "en": "Priorities"},
    "tab_results": {"vi": "Kết quả", "en": "Results"},
    "tab_compare": {"vi": "So với kịch bản gốc", "en": "Against the baseline"},
    "tab_save": {"vi": "Lưu kịch bản", "en": "Save the scenario"},
    "reset": {"vi": "Về kịch bản gốc", "en": "Back to the baseline"},
    # explorer results and messages
    "headline": {"vi": "Người học được hỗ trợ: {covered} / {pupils} ({rate})",
                 "en": "Learners covered: {covered} of {pupils} ({rate})"},
    "headline_change": {"vi": "{change} so với kịch bản gốc", "en": "{change} against the baseline"},
    "money_line": {"vi": "Đã chi {spent} đồng (ngân sách chung {general}, khoản tặng riêng cho huyện {earmarked}); "
                         "ngân sách còn {left} đồng",
                   "en": "Spent {spent} VND ({general} from the budget, {earmarked} earmarked); budget left {left} VND"},
    "solved_in": {"vi": "Đã tính lại trong {seconds} giây.", "en": "Re-solved in {seconds} s."},
    "from_memory": {"vi": "Kịch bản này đã được tính trước đó, kết quả hiện ngay.",
                    "en": "This scenario was solved before: result shown at once."},
    "cannot_solve": {"vi": "Không tính được kịch bản này:", "en": "This scenario cannot be solved:"},
    "file_name": {"vi": "Tên tệp", "en": "File name"},
    "overwrite": {"vi": "Ghi đè nếu tệp đã có", "en": "Overwrite if the file exists"},
    "save": {"vi": "Lưu kịch bản này", "en": "Save this scenario"},
    "saved": {"vi": "Đã lưu {path}. Chạy lại bằng lệnh: python -m sim run {path} --out reports/{stem}",
              "en": "Saved {path}. Run it with: python -m sim run {path} --out reports/{stem}"},
    "save_folder": {"vi": "Kịch bản được lưu vào thư mục {folder}.", "en": "Scenarios are saved in {folder}."},
    "problem": {"vi": "{file}: {message} — cần {expected}", "en": "{file}: {message}; expected {expected}"},
    "file_exists": {"vi": "tệp đã có", "en": "the file already exists"},
    "file_exists_expected": {"vi": "một tên tệp mới, hoặc đánh dấu “Ghi đè”", "en": "a new file name, or tick “Overwrite”"},
    "bad_file_name": {"vi": "tên tệp không hợp lệ", "en": "not a valid file name"},
    "bad_file_name_expected": {"vi": "chữ cái, chữ số, dấu gạch ngang (-) hoặc gạch dưới (_), kết thúc bằng .yaml",
                               "en": "letters, digits, - or _, ending in .yaml"},
    "baseline_protected": {"vi": "không ghi đè kịch bản gốc", "en": "the baseline is never overwritten"},
    "saved_from": {"vi": "Lưu từ công cụ khám phá kịch bản, dựa trên kịch bản “{base}”.",
                   "en": "Saved from the scenario explorer, based on the scenario “{base}”."},
    "no_changes": {"vi": "Không thay đổi gì so với kịch bản gốc.", "en": "No change from the baseline."},
    "changes": {"vi": "Thay đổi so với kịch bản gốc:", "en": "Changes from the baseline:"},
    # sweeps (sim/sweep_charts.py)
    "sweep_distribution_title": {"vi": "Số người học được hỗ trợ qua {runs} lần chạy",
                                 "en": "Learners covered over {runs} runs"},
    "sweep_axis_runs": {"vi": "số lần chạy", "en": "runs"},
    "sweep_median": {"vi": "trung vị {value}", "en": "median {value}"},
    "sweep_interval": {"vi": "90% số lần chạy: {low} – {high}", "en": "90% of runs: {low} – {high}"},
    "sweep_band_title": {"vi": "Người học được hỗ trợ theo nhóm ưu tiên, qua các lần chạy",
                         "en": "Learners covered by priority band, over the runs"},
    "sweep_setting_title": {"vi": "Người học được hỗ trợ theo {setting}", "en": "Learners covered by {setting}"},
}

ITEM_LABELS = {
    "tablet": {"vi": "máy tính bảng", "en": "tablet"},
    "laptop": {"vi": "máy tính xách tay", "en": "laptop"},
    "desktop": {"vi": "máy tính để bàn", "en": "desktop"},
    "data_package": {"vi": "gói dữ liệu di động", "en": "data package"},
}
HIGHER_LABEL = HIGHER_LABELS  # band, status and grade labels come with the plan's rules (plan_rules.yaml)

_state = {"language": DEFAULT_LANGUAGE}


def _checked(language: str) -> str:
    code = str(language).strip().lower()
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {', '.join(LANGUAGES)}")
    return code


def set_language(language: str) -> None:
    """Switch every view to ``"vi"`` (Vietnamese) or ``"en"`` (English)."""
    _state["language"] = _checked(language)


def get_language() -> str:
    return _state["language"]


def t(key: str, **values: object) -> str:
    """The text for ``key`` in the current language, placeholders filled, in Unicode NFC."""
    text = MESSAGES[key][get_language()]
    return unicodedata.normalize("NFC", text.format(**values) if values else text)


def band_label(band: int | str) -> str:
    band = int(band)
    return BAND_LABELS_VI[band] if get_language() == "vi" else BAND_LABELS[band]


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, {}).get(get_language(), status)


def item_label(item: str) -> str:
    """A device or ``data_package`` in words; a device name the scenario made up is shown as it is."""
    return ITEM_LABELS.get(item, {}).get(get_language(), item)


def grade_label(grade: int | str) -> str:
    """``"9"`` stays ``"9"``; higher education becomes ``CĐ/ĐH`` (cao đẳng, đại học) or ``higher ed.``."""
    text = str(grade)
    return HIGHER_LABEL[get_language()] if text in (HIGHER, "13") else text


def number(value: float, decimals: int = 0) -> str:
    """Digits grouped by thousands: ``1.234.567`` in Vietnamese, ``1,234,567`` in English."""
    text = f"{value:,.{decimals}f}"
    if get_language() == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def signed(value: float, decimals: int = 0) -> str:
    """``+12``, ``−3`` (a real minus sign) or ``0``."""
    if round(value, decimals) == 0:
        return number(0, decimals)
    return ("+" if value > 0 else "−") + number(abs(value), decimals)


def percent(rate: float | None, decimals: int = 1) -> str:
    """``46,4%`` or ``46.4%``; a dash when there is nobody to cover."""
    if rate is None or rate != rate:  # None or NaN
        return "–"
    return number(100 * rate, decimals) + "%"


def band_labels() -> dict[int, str]:
    return {b: band_label(b) for b in BANDS}


def _from_environment() -> None:
    wanted = os.environ.get(ENV_VAR)
    if wanted:
        set_language(wanted)


_from_environment()
