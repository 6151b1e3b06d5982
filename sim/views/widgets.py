"""The scenario explorer's widgets: controls wired to ``sim.explorer``, results drawn by
``sim.explorer_charts``. A view: no planning logic here.

Every control changes one field of :class:`sim.explorer.Controls`; the explorer then re-solves
(or recalls a scenario solved before) and the view redraws. Sliders and number boxes report a
change only when released or confirmed (``continuous_update=False``), so dragging a slider
solves once, not at every pixel.

Redrawing is kept cheap: only the result tab on show is drawn (the others when shown); each
chart is one figure updated in place (``sim.explorer_charts.ResultsFigure``), and the charts of
the last results shown are kept, so going back to a scenario tried before draws nothing.

In a notebook cell: ``ExplorerView(sim.explorer.Explorer(baseline), save_dir="../data/scenarios")``.
"""

from __future__ import annotations

import html
import time
from collections import OrderedDict
from pathlib import Path

import ipywidgets as w
from pydantic import ValidationError

from sim.views import explorer_charts
from sim.views import i18n
from sim.read.errors import InputError, ScenarioError
from sim.analysis.explorer import (Controls, Explorer, FairnessFigures, compare, fairness_figures, labelled, money_and_stock,
                       save_scenario, totals)
from sim.core.inputs import DATA_PACKAGE
from sim.core.rules import BANDS, HIGHER
from sim.core.solvers import SolverFailed

MILLION, THOUSAND = 1_000_000, 1_000
GRADE_VALUES = [*range(1, 13), HIGHER]
FAIRNESS_RULES = ["none", "maxmin", "leximin", "alpha"]
RESULTS_TAB, COMPARISON_TAB = 0, 1
PICTURES = 32  # charts kept for results shown before (about 80 kB each)
TABLE_STYLES = [
    {"selector": "", "props": 'border-collapse: collapse; margin: 4px 0 12px 0; '
                              'font: 13px system-ui, "DejaVu Sans", sans-serif'},
    {"selector": "th", "props": "text-align: right; padding: 3px 8px; border-bottom: 1px solid #999"},
    {"selector": "td", "props": "text-align: right; padding: 2px 8px; border-bottom: 1px solid #e5e5e5"},
    {"selector": "th:first-child, td:first-child", "props": "text-align: left"},
]
WIDE = {"description_width": "initial"}
WIDE_BUTTONS = {**WIDE, "button_width": "auto"}  # toggle buttons as wide as their words
FONT = 'system-ui, "DejaVu Sans", sans-serif'  # goes inside style='...'


def table(frame):
    """A table for people: headers and values in the current language, no row numbers.

    Works for the tables of ``sim.explorer`` (``compare``, ``money_and_stock``) and
    ``Result.coverage_by``; shows as HTML in a notebook and in a rendered report.
    """
    return labelled(frame).style.hide(axis="index").set_table_styles(TABLE_STYLES)


def html_table(frame) -> str:
    return table(frame).to_html()


def fairness_html(figures: FairnessFigures | None) -> str:
    """The fairness figures in words: lowest and highest district rates, the floor met or not
    (and where), learners covered against the same scenario without the rules. Empty without rules."""
    if figures is None:
        return ""
    (worst, low), (best, high) = figures.lowest, figures.highest
    lines = [i18n.t("fairness_line", worst=worst, low=i18n.percent(low), best=best, high=i18n.percent(high))]
    if figures.floor > 0:
        floor = i18n.percent(figures.floor, 0)
        if figures.below_floor:
            places = ", ".join(f"{district} {i18n.percent(rate)}" if band is None
                               else i18n.t("band_in_district", district=district, band=band) + f" {i18n.percent(rate)}"
                               for district, band, rate in figures.below_floor)
            lines.append(i18n.t("floor_unmet", floor=floor, count=len(figures.below_floor), places=places))
        else:
            lines.append(i18n.t("floor_met_band" if figures.scope == "band" else "floor_met", floor=floor))
    difference = figures.covered - figures.covered_without
    lines.append(i18n.t("fairness_price", covered=i18n.number(figures.covered), without=i18n.number(figures.covered_without),
                        change=i18n.signed(difference)))
    unmet = " class='sim-floor-unmet' style='color:#b30000'" if figures.below_floor else ""
    body = "".join(f"<div{unmet if i == 1 else ''}>{html.escape(line)}</div>" for i, line in enumerate(lines))
    return f"<div style='font-family: {FONT}; margin-top:4px'>{body}</div>"


def guide_html() -> str:
    """The explorer's guide in the current language: what the baseline is, what each tab of controls
    changes, how to read the charts, compare, save and switch language. Words for the people who use
    the dashboard: no code, commands or file paths."""
    tabs = "".join(f"<li><b>{html.escape(i18n.t(tab))}</b>: {i18n.t(text)}</li>"
                   for tab, text in [("tab_money", "guide_money"), ("tab_stock", "guide_devices"),
                                     ("tab_policy", "guide_policy"), ("tab_fairness", "guide_fairness")])
    paragraphs = "".join(f"<p>{i18n.t(key)}</p>" for key in ("guide_redraw", "guide_results"))
    return (f"<div class='sim-guide-text' style='font-family: {FONT}; max-width: 60em; line-height: 1.45'>"
            f"<p>{i18n.t('guide_baseline')}</p><ul>{tabs}</ul>{paragraphs}</div>")


class ExplorerView:
    """Controls, the headline, the results and the comparison with the baseline, and a save button."""

    def __init__(self, explorer: Explorer, save_dir: str | Path = "."):
        self.explorer = explorer
        self.save_dir = Path(save_dir)
        self.controls = Controls.of(explorer.baseline)
        self.scenario = explorer.baseline
        self.result = explorer.baseline_result
        self._quiet = False
        self._stale: set[int] = set()  # result tabs to redraw when shown
        self._figures = {RESULTS_TAB: explorer_charts.ResultsFigure(explorer.baseline_result),
                         COMPARISON_TAB: explorer_charts.ComparisonFigure(explorer.baseline_result)}
        self._pictures: OrderedDict[tuple, tuple] = OrderedDict()  # (tab, id(result), language) -> (result, PNG)
        self._labels: list[tuple[object, str, str, dict]] = []  # (widget, attribute, message key, values)
        self._build()
        self._relabel()
        self._draw()
        self._draw_tab(COMPARISON_TAB)  # once, so that a rendered report shows the tab filled in

    # ------------------------------------------------------------ building
    def _label(self, widget, key: str, attribute: str = "description", **values):
        self._labels.append((widget, attribute, key, values))
        return widget

    def _bind(self, widget, apply) -> None:
        """On a change of ``widget``: ``apply(new value)`` to the controls, then re-solve and redraw."""

        def changed(change):
            if not self._quiet:
                apply(change["new"])
                self.refresh()

        widget.observe(changed, names="value")

    def _build(self) -> None:
        c = self.controls
        budget_max = max(10_000, -(-4 * c.budget_vnd // (1000 * MILLION)) * 1000)
        self.budget = self._label(w.IntSlider(value=round(c.budget_vnd / MILLION), min=0, max=budget_max, step=50,
                                              continuous_update=False, readout_format="d", style=WIDE,
                                              layout=w.Layout(width="640px")), "budget_million")
        self.budget.add_class("sim-budget")
        self._bind(self.budget, lambda v: setattr(c, "budget_vnd", int(v) * MILLION))
        self.data_price = self._label(w.BoundedIntText(value=round(c.data_monthly_cost_vnd / THOUSAND), min=0,
                                                       max=10_000, step=5, style=WIDE, layout=w.Layout(width="330px")),
                                      "data_monthly_thousand")
        self._bind(self.data_price, lambda v: setattr(c, "data_monthly_cost_vnd", int(v) * THOUSAND))
        self.months = self._label(w.IntSlider(value=c.data_months, min=1, max=36, continuous_update=False, style=WIDE,
                                              layout=w.Layout(width="420px")), "data_months")
        self._bind(self.months, lambda v: setattr(c, "data_months", int(v)))
        money = w.VBox([self.budget, w.HBox([self.data_price, self.months])])

        # One row per device: donated stock, unit price, grades it suits; then the data package.
        self.stock, self.price, self.grades = {}, {}, {}
        header = [self._label(w.HTML(), "item", "value", bold=True), self._label(w.HTML(), "in_stock", "value", bold=True),
                  self._label(w.HTML(), "price_thousand", "value", bold=True),
                  self._label(w.HTML(), "grades_suited", "value", bold=True)]
        cells = list(header)
        self.item_names = {}
        for item in [*c.unit_cost_vnd, DATA_PACKAGE]:
            name = self.item_names[item] = w.HTML()
            self.stock[item] = w.BoundedIntText(value=c.in_stock[item], min=0, max=10**8, step=10,
                                                layout=w.Layout(width="120px"))
            self._bind(self.stock[item], lambda v, item=item: c.in_stock.__setitem__(item, int(v)))
            if item == DATA_PACKAGE:
                cells += [name, self.stock[item], w.HTML("–"), w.HTML("–")]
                continue
            self.price[item] = w.BoundedIntText(value=round(c.unit_cost_vnd[item] / THOUSAND), min=0, max=10**6, step=100,
                                                layout=w.Layout(width="120px"))
            self._bind(self.price[item], lambda v, item=item: c.unit_cost_vnd.__setitem__(item, int(v) * THOUSAND))
            self.grades[item] = w.SelectionRangeSlider(options=[(str(g), g) for g in GRADE_VALUES],
                                                       value=tuple(c.grades[item]), continuous_update=False,
                                                       layout=w.Layout(width="320px"))
            self._bind(self.grades[item], lambda v, item=item: c.grades.__setitem__(item, tuple(v)))
            cells += [name, self.stock[item], self.price[item], self.grades[item]]
        devices = w.GridBox(cells, layout=w.Layout(grid_template_columns="180px 140px 140px 340px", grid_gap="4px 8px"))

        self.mode = self._label(w.ToggleButtons(value=c.mode, options=[("strict", "strict"), ("weighted", "weighted")],
                                                style=WIDE), "mode")
        self._bind(self.mode, self._set_mode)
        self.within = self._label(w.ToggleButtons(value=c.within_band,
                                                  options=[("equal_rate", "equal_rate"), ("max_count", "max_count")],
                                                  style=WIDE), "within_band")
        self._bind(self.within, lambda v: setattr(c, "within_band", v))
        self.weights = {}
        for band in BANDS:
            box = self._label(w.BoundedFloatText(value=c.weights[band], min=0.001, max=10**6, step=1,
                                                 layout=w.Layout(width="150px"), style=WIDE), "weight_of", band=band)
            self._bind(box, lambda v, band=band: c.weights.__setitem__(band, float(v)))
            self.weights[band] = box
        self.weights_title = self._label(w.HTML(), "weights", "value")
        policy = w.VBox([self.mode, self.within, self.weights_title, w.HBox(list(self.weights.values()))])

        # Fairness across districts (the scenario's ``fairness`` section).
        self.floor = self._label(w.IntSlider(value=round(100 * c.district_floor), min=0, max=100, step=1,
                                             continuous_update=False, readout_format="d", style=WIDE,
                                             layout=w.Layout(width="640px")), "district_floor_percent")
        self.floor.add_class("sim-floor")
        self._bind(self.floor, self._set_floor)
        self.scope = self._label(w.ToggleButtons(value=c.floor_scope, options=[("overall", "overall"), ("band", "band")],
                                                 style=WIDE_BUTTONS), "floor_scope")
        self._bind(self.scope, lambda v: setattr(c, "floor_scope", v))
        self.rule = self._label(w.ToggleButtons(value=c.fairness_rule, options=[(r, r) for r in FAIRNESS_RULES],
                                                style=WIDE_BUTTONS), "fairness_rule")
        self._bind(self.rule, self._set_rule)
        self.alpha = self._label(w.BoundedFloatText(value=c.alpha, min=0, max=5, step=0.5, style=WIDE,
                                                    layout=w.Layout(width="480px")), "alpha")
        self._bind(self.alpha, lambda v: setattr(c, "alpha", float(v)))
        self.fairness_note = w.HTML()
        fairness = w.VBox([self.floor, self.scope, self.rule, self.alpha, self.fairness_note])

        self.controls_tabs = w.Tab([money, devices, policy, fairness])
        self.language = w.ToggleButtons(options=[("Tiếng Việt", "vi"), ("English", "en")], value=i18n.get_language())
        self.language.observe(self._set_language, names="value")
        self.reset_button = self._label(w.Button(), "reset")
        self.reset_button.on_click(lambda _: self.reset())

        self.headline = w.HTML()
        self.headline.add_class("sim-headline")
        self.fairness_line = w.HTML()
        self.fairness_line.add_class("sim-fairness")
        self.status = w.HTML()
        self.results_image = w.Image(format="png", layout=w.Layout(max_width="100%"))
        self.results_image.add_class("sim-results-chart")
        self.money_table = w.HTML()
        self.comparison_tables = w.HTML()
        self.comparison_image = w.Image(format="png", layout=w.Layout(max_width="100%"))
        self.comparison_image.add_class("sim-comparison-chart")

        self.file_name = self._label(w.Text(value="kich_ban_moi.yaml" if i18n.get_language() == "vi" else "new_scenario.yaml",
                                            style=WIDE, layout=w.Layout(width="420px")), "file_name")
        self.overwrite = self._label(w.Checkbox(value=False, indent=False), "overwrite")
        self.save_button = self._label(w.Button(button_style="primary"), "save")
        self.save_button.on_click(lambda _: self.save())
        self.save_message = w.HTML()
        self.save_folder = w.HTML()
        saving = w.VBox([self.save_folder, w.HBox([self.file_name, self.overwrite]), self.save_button, self.save_message])

        self.results_tabs = w.Tab([w.VBox([self.results_image, self.money_table]),
                                   w.VBox([self.comparison_tables, self.comparison_image]), saving])
        self.results_tabs.observe(self._tab_shown, names="selected_index")
        top = w.HBox([self.language, self.reset_button], layout=w.Layout(justify_content="space-between"))
        # The guide: one closed line under the headline, opened by whoever wants it; words only, no code.
        self.guide_text = w.HTML()
        self.guide = w.Accordion([self.guide_text], selected_index=None)
        self.guide.add_class("sim-guide")
        # Tab titles as wide as their words ("So với kịch bản gốc" was cut at ipywidgets' 144 px).
        tabs_style = w.HTML("<style>.sim-explorer .lm-TabBar-tab, .sim-explorer .p-TabBar-tab "
                            "{flex: 0 0 auto !important; max-width: none !important; min-width: 144px}</style>")
        self.widget = w.VBox([tabs_style, top, self.controls_tabs, self.headline, self.fairness_line, self.status, self.guide,
                              self.results_tabs])
        self.widget.add_class("sim-explorer")
        self._enable_weights()
        self._enable_fairness()

    # ------------------------------------------------------------ words
    def _relabel(self) -> None:
        """Put every label in the current language (no re-solve)."""
        quiet, self._quiet = self._quiet, True
        try:
            for widget, attribute, key, values in self._labels:
                bold = values.get("bold")
                text = i18n.t(key, **{k: v for k, v in values.items() if k != "bold"})
                setattr(widget, attribute, f"<b>{html.escape(text)}</b>" if bold else text)
            for item, name in self.item_names.items():
                name.value = html.escape(i18n.item_label(item))
            self.weights_title.value = f"<i>{html.escape(i18n.t('weights'))}</i>"
            for toggle, keys in [(self.mode, {"strict": "mode_strict", "weighted": "mode_weighted"}),
                                 (self.within, {"equal_rate": "within_equal_rate", "max_count": "within_max_count"}),
                                 (self.scope, {"overall": "scope_overall", "band": "scope_band"}),
                                 (self.rule, {r: f"rule_{r}" for r in FAIRNESS_RULES})]:
                value = toggle.value
                toggle.options = [(i18n.t(keys[v]), v) for v in keys]
                toggle.value = value
            for slider in self.grades.values():
                value = slider.value
                slider.options = [(i18n.grade_label(g), g) for g in GRADE_VALUES]
                slider.value = value
            self.fairness_note.value = f"<i style='font-family: {FONT}'>{html.escape(i18n.t('fairness_note'))}</i>"
            for tabs, keys in [(self.controls_tabs, ["tab_money", "tab_stock", "tab_policy", "tab_fairness"]),
                               (self.results_tabs, ["tab_results", "tab_compare", "tab_save"])]:
                tabs.titles = [i18n.t(k) for k in keys]
            self.save_folder.value = html.escape(i18n.t("save_folder", folder=self.save_dir.resolve()))
            self.guide.titles = [i18n.t("guide_title")]
            self.guide_text.value = guide_html()
        finally:
            self._quiet = quiet

    def _set_language(self, change) -> None:
        i18n.set_language(change["new"])
        self._relabel()
        self.save_message.value = ""
        self._draw()

    # ------------------------------------------------------------ reacting
    def _set_mode(self, mode: str) -> None:
        self.controls.mode = mode
        self._enable_weights()

    def _enable_weights(self) -> None:
        for box in self.weights.values():
            box.disabled = self.controls.mode != "weighted"

    def _set_floor(self, percent: int) -> None:
        self.controls.district_floor = int(percent) / 100
        self._enable_fairness()

    def _set_rule(self, rule: str) -> None:
        self.controls.fairness_rule = rule
        self._enable_fairness()

    def _enable_fairness(self) -> None:
        self.scope.disabled = not self.controls.district_floor
        self.alpha.disabled = self.controls.fairness_rule != "alpha"

    def refresh(self) -> None:
        """Re-solve the scenario the controls describe and redraw; a scenario that cannot be
        solved leaves the last results on screen and says why."""
        started = time.perf_counter()
        self.status.value = html.escape(i18n.t("solving"))  # sent at once: a plan with fairness rules takes seconds
        try:
            scenario = self.explorer.scenario(self.controls)
            solved = self.explorer.solve(scenario)
        except (InputError, ScenarioError, SolverFailed, ValidationError) as exc:
            self.status.value = (f"<span style='color:#b30000'>{html.escape(i18n.t('cannot_solve'))} "
                                 f"{html.escape(str(exc))}</span>")
            return
        self.scenario, self.result = scenario, solved.result
        self._draw()
        message = (i18n.t("from_memory") if solved.from_memory
                   else i18n.t("solved_in", seconds=i18n.number(time.perf_counter() - started, 1)))
        self.status.value = html.escape(message)

    def _draw(self) -> None:
        """The tab on show first, the headline last: when the headline changes, what shows is drawn.
        The other tabs are drawn when shown."""
        base, result = self.explorer.baseline_result, self.result
        self._stale = {RESULTS_TAB, COMPARISON_TAB}
        self._draw_tab(self.results_tabs.selected_index)
        n = totals(base, result)
        covered = f"<span class='sim-covered' data-covered='{n['covered']}'>{i18n.number(n['covered'])}</span>"
        headline = i18n.t("headline", covered=covered, pupils=i18n.number(n["pupils"]), rate=i18n.percent(n["rate"]))
        change = i18n.t("headline_change", change=i18n.signed(n["change"]))
        money = i18n.t("money_line", spent=i18n.number(n["spent_vnd"]), general=i18n.number(n["spent_general_vnd"]),
                       earmarked=i18n.number(n["spent_earmarked_vnd"]), left=i18n.number(n["cash_left_vnd"]))
        self.fairness_line.value = fairness_html(fairness_figures(result))
        self.headline.value = (f"<div style='font-family: {FONT}'><div style='font-size:20px;font-weight:600;margin-top:8px'>"
                               f"{headline}</div><div>{html.escape(change)}</div><div>{html.escape(money)}</div></div>")

    def _draw_tab(self, tab: int | None) -> None:
        if tab not in self._stale:
            return
        base, result = self.explorer.baseline_result, self.result
        if tab == RESULTS_TAB:
            self.results_image.value = self._picture(tab)
            self.money_table.value = html_table(money_and_stock(result))
        else:
            self.comparison_tables.value = (html_table(compare(base, result, "band"))
                                            + html_table(compare(base, result, "district")))
            self.comparison_image.value = self._picture(tab)
        self._stale.discard(tab)

    def _picture(self, tab: int) -> bytes:
        """The tab's chart of the result on show: drawn by its reused figure, or recalled when this
        result was drawn before in this language (going back to a scenario costs no drawing)."""
        key = (tab, id(self.result), i18n.get_language())
        if key in self._pictures:
            self._pictures.move_to_end(key)
            return self._pictures[key][1]
        picture = self._figures[tab].png(self.result)
        self._pictures[key] = (self.result, picture)  # the result is kept so that its id is not reused
        while len(self._pictures) > PICTURES:
            self._pictures.popitem(last=False)
        return picture

    def _tab_shown(self, change) -> None:
        self._draw_tab(change["new"])

    # ------------------------------------------------------------ actions
    def reset(self) -> None:
        """Every control back to the baseline's value."""
        c = self.controls  # changed in place: the controls' handlers hold this object
        for name, value in vars(Controls.of(self.explorer.baseline)).items():
            setattr(c, name, value)
        self._quiet = True
        try:
            self.budget.value = round(c.budget_vnd / MILLION)
            self.data_price.value = round(c.data_monthly_cost_vnd / THOUSAND)
            self.months.value = c.data_months
            for item, box in self.stock.items():
                box.value = c.in_stock[item]
            for item, box in self.price.items():
                box.value = round(c.unit_cost_vnd[item] / THOUSAND)
            for item, slider in self.grades.items():
                slider.value = tuple(c.grades[item])
            self.mode.value, self.within.value = c.mode, c.within_band
            for band, box in self.weights.items():
                box.value = c.weights[band]
            self.floor.value = round(100 * c.district_floor)
            self.scope.value, self.rule.value, self.alpha.value = c.floor_scope, c.fairness_rule, c.alpha
        finally:
            self._quiet = False
        self._enable_weights()
        self._enable_fairness()
        self.refresh()

    def save(self) -> Path | None:
        """Write the scenario on screen to ``save_dir / file name``; the message says how to run it."""
        name = self.file_name.value.strip()
        path = self.save_dir / name.replace("/", "?").replace("\\", "?")  # a name, not a path: stay in save_dir
        try:
            saved = save_scenario(self.scenario, path, baseline=self.explorer.baseline, overwrite=self.overwrite.value)
        except InputError as exc:
            text = "; ".join(i18n.t("problem", file=Path(p.file).name, message=p.message, expected=p.expected or "")
                             for p in exc.problems)
            self.save_message.value = f"<span style='color:#b30000'>{html.escape(text)}</span>"
            return None
        shown = saved.resolve()
        self.save_message.value = html.escape(i18n.t("saved", path=shown, stem=saved.stem))
        return saved

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
