"""Network page: a map of the regions, warehouses, hospitals, lanes and the flows of a plan
or a simulated run; and inventory health per warehouse."""

from pathlib import Path

import pandas as pd
import panel as pn
import param
from bokeh.models import ColumnDataSource, HoverTool, LabelSet
from bokeh.plotting import figure
from panel.viewable import Viewer

from dashboards.data import (
    DAYS_OF_SUPPLY_TARGET,
    NEAR_EXPIRY_ALERT,
    NEAR_EXPIRY_DAYS,
    DataStore,
    plan_flows,
)

NO_FLOWS = "no flows"
MODE_DASH = {"road": "solid", "rail": "dashed", "air": "dotted"}
COLD, AMBIENT = "#1f77b4", "#d62728"
ALERT = "background-color: #f8d7da"
HEALTH_CSS = """
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { padding: 6px 10px; border-bottom: 1px solid #ddd; text-align: right; }
th { background: #f6f6f6; } td:nth-child(-n+2), th:nth-child(-n+2) { text-align: left; }
"""


def _mode_label(mode: str, cold: bool) -> str:
    return f"{mode} lane, {'cold chain' if cold else 'ambient'}"


def _days(days: float) -> str:
    """Days of supply as shown (none where a warehouse serves no demand)."""
    return f"{days:,.1f}" if pd.notna(days) else "no demand served"


class NetworkView(Viewer):
    """Map in longitude/latitude over a shipped outline of the regions (legend beside it,
    hover with names and figures) and a table per warehouse: units by status, value and
    value near expiry in the network's currency, days of supply; totals in the last row,
    days of supply below :data:`DAYS_OF_SUPPLY_TARGET` and a near-expiry share above
    :data:`NEAR_EXPIRY_ALERT` highlighted."""

    data = param.ClassSelector(class_=DataStore)
    flows = param.Selector(objects=[NO_FLOWS], doc="plan or simulated run whose transfers "
                                                   "are drawn on the lanes")

    def __init__(self, **params: object):
        super().__init__(**params)
        net = self.data.network()
        sources = [NO_FLOWS, *(f"plan {p.id}" for p in self.data.plans().list()
                               if p.network == net.name),
                   *(f"run {path}" for path in self.data.files("simulation"))]
        self.param.flows.objects = sources
        self.flows = sources[1] if len(sources) > 1 else NO_FLOWS
        self.inventory = self.data.health()

    def flow_table(self) -> pd.DataFrame:
        """Transfers of the chosen plan or run per (from, to): units and value."""
        net = self.data.network()
        kind, _, name = self.flows.partition(" ")
        if kind == "plan":
            return plan_flows(self.data.plans().plan(name), net)
        if kind == "run":
            return self.data.run_flows(name)
        return pd.DataFrame(columns=["from", "to", "units", "value"])

    @param.depends("flows")
    def map(self) -> figure:
        """Regions, lanes by mode and cold chain, flows, warehouses and hospitals by name:
        one Bokeh glyph renderer per kind of thing (colour, dash and legend entry from the
        rows' columns), labels on the same sources and one hover tool whose text is
        written per row (a renderer and hover tool per layer made 140 Bokeh models on the
        reference network to build, ship and draw; this makes 77)."""
        net = self.data.network()
        currency = net.settings.currency
        rings, region_labels, wh, hosp, lanes = self.data.map_layers()
        wh = wh.join(self.inventory[["available", "days_of_supply"]], on="id")
        fig = figure(frame_width=900, frame_height=560, x_range=(73, 136), y_range=(17, 54),
                     x_axis_label="longitude (°E)", y_axis_label="latitude (°N)",
                     tools="pan,wheel_zoom,box_zoom,reset,save",
                     title=f"{net.name}: sites, lanes and transfers "
                           f"({Path(self.flows).name})")
        hovered = []

        def draw(glyph: str, df: pd.DataFrame, tips: list[str], **style: object
                 ) -> ColumnDataSource:
            source = ColumnDataSource(df.assign(tip=tips))
            renderer = getattr(fig, glyph)(source=source, **style)
            renderer.nonselection_glyph = renderer.muted_glyph = "auto"   # drawn in BokehJS
            hovered.append(renderer)
            return source

        def labels(source: ColumnDataSource, text: str, **style: object) -> None:
            fig.add_layout(LabelSet(x="lon", y="lat", text=text, source=source, **style))

        draw("patches", pd.DataFrame(rings)[["x", "y"]],
             [f"region: {ring['region']}" for ring in rings],
             xs="x", ys="y", fill_color="#f3f1ea", line_color="#b9b4a5")
        labels(ColumnDataSource(region_labels), "region", text_color="#9a9483",
               text_font_size="10pt", text_font_style="italic")
        draw("segment", lanes.assign(
                color=[COLD if c else "#999999" for c in lanes.cold_chain],
                dash=[MODE_DASH.get(m, "dashdot") for m in lanes["mode"]],
                kind=[_mode_label(m, c) for m, c in zip(lanes["mode"], lanes.cold_chain,
                                                        strict=True)]
             )[["x0", "y0", "x1", "y1", "color", "dash", "kind"]],
             [f"lane: {a} → {b}\nmode: {m}\ntransit: {t:.1f} days\n"
              f"cost: {c:,.2f} {currency}/unit" for a, b, m, t, c in zip(
                  lanes["from"], lanes["to"], lanes["mode"], lanes.transit_days,
                  lanes.cost_per_unit, strict=True)],
             x0="x0", y0="y0", x1="x1", y1="y1", color="color", line_dash="dash",
             alpha=0.7, line_width=1.2, legend_group="kind")
        flows = self.flow_table()
        if not flows.empty:
            at = wh.set_index("id")
            x0, y0 = flows["from"].map(at.lon), flows["from"].map(at.lat)
            x1, y1 = flows["to"].map(at.lon), flows["to"].map(at.lat)
            shown = pd.DataFrame({"x0": x0, "y0": y0, "x1": x1, "y1": y1,
                                  "lon": (x0 + x1) / 2, "lat": (y0 + y1) / 2,
                                  "width": 2 + 10 * flows.units / flows.units.max(),
                                  "text": [f"{u:,.0f}" for u in flows.units]})
            labels(draw("segment", shown, [
                f"transfer: {at.name[a]} → {at.name[b]}\nunits: {u:,.0f}\n"
                f"value: {v:,.0f} {currency}" for a, b, u, v in zip(
                    flows["from"], flows["to"], flows.units, flows["value"], strict=True)],
                x0="x0", y0="y0", x1="x1", y1="y1", color="#ff7f0e", alpha=0.6,
                line_width="width", legend_label=f"transfers ({self.flows.split(' ')[0]})"),
                "text", text_color="#a0522d", text_font_size="9pt", text_font_style="bold")
        labels(draw("scatter", hosp[["name", "lon", "lat"]],
                    [f"hospital: {n}\nregion: {r}" for n, r in zip(hosp.name, hosp.region,
                                                                     strict=True)],
                    x="lon", y="lat", color="#555555", size=6, legend_label="hospital"),
               "name", text_font_size="7pt", text_color="#555555", x_offset=4)
        labels(draw("scatter", wh.assign(
                color=[COLD if c else AMBIENT for c in wh.cold_chain],
                kind=[f"warehouse, {'cold chain' if c else 'ambient'}" for c in wh.cold_chain]
             )[["name", "lon", "lat", "color", "kind"]],
             [f"warehouse: {n}\norg: {o}\nregion: {r}\navailable: {a:,.0f} units\n"
              f"days of supply: {_days(d)}" for n, o, r, a, d in zip(
                  wh.name, wh.org, wh.region, wh.available, wh.days_of_supply, strict=True)],
             x="lon", y="lat", marker="square", size=13, color="color", legend_group="kind"),
               "name", text_font_size="9pt", text_font_style="bold", text_color="#222222",
               x_offset=8, y_offset=6)
        fig.add_tools(HoverTool(renderers=hovered,
                                tooltips='<div style="white-space: pre-line">@tip</div>'))
        fig.add_layout(fig.legend[0], "right")
        return fig

    def health(self) -> pn.pane.HTML:
        """Inventory health per warehouse, with totals and highlighted thresholds: an HTML
        table (as a Tabulator widget it added ~30 Bokeh models to the landing page and its
        column fitting to the browser's drawing)."""
        currency = self.data.network().settings.currency
        df = self.inventory.reset_index()
        low = df.days_of_supply < DAYS_OF_SUPPLY_TARGET
        near = df.near_expiry_share > NEAR_EXPIRY_ALERT
        flagged = pd.DataFrame("", index=df.index, columns=df.columns)
        flagged.loc[low, "days_of_supply"] = ALERT
        flagged.loc[near, ["value_near_expiry", "near_expiry_share"]] = ALERT
        units, money = "{:,.0f}", "{:,.0f} " + currency
        titles = {"in_transit": "in transit (inbound)", "stock_value": f"stock value ({currency})",
                  "value_near_expiry": f"value near expiry ({currency})",
                  "near_expiry_share": "near expiry share", "days_of_supply": "days of supply"}
        table = df.style.set_uuid("health").hide(axis="index").apply(
            lambda _: flagged, axis=None).format({
                "available": units, "quarantine": units, "reserved": units,
                "in_transit": units, "stock_value": money, "value_near_expiry": money,
                "near_expiry_share": lambda share: f"{100 * share:,.1f} %",
                "days_of_supply": _days}, na_rep="").relabel_index(
                    [titles.get(c, c) for c in df.columns], axis="columns")
        return pn.pane.HTML(table, css_classes=["health"], stylesheets=[HEALTH_CSS],
                            sizing_mode="stretch_width")

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            "## Network", pn.widgets.Select.from_param(self.param.flows, label="Transfers of",
                                                       width=420),
            pn.pane.Bokeh(self.map), "### Inventory health (snapshot)",
            pn.pane.Markdown(f"Highlighted: days of supply below {DAYS_OF_SUPPLY_TARGET:.0f} "
                             f"days; value expiring within {NEAR_EXPIRY_DAYS} days above "
                             f"{NEAR_EXPIRY_ALERT:.0%} of the stock value.",
                             css_classes=["health-note"]),
            self.health())
