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


def _mode_label(mode: str, cold: bool) -> str:
    return f"{mode} lane, {'cold chain' if cold else 'ambient'}"


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
        """Regions, lanes by mode and cold chain, flows, warehouses and hospitals by name
        (Bokeh directly: a dozen layers through HoloViews took seconds to build)."""
        net = self.data.network()
        currency = net.settings.currency
        rings, region_labels, wh, hosp, lanes = self.data.map_layers()
        wh = wh.join(self.inventory[["available", "days_of_supply"]], on="id")
        fig = figure(frame_width=900, frame_height=560, x_range=(73, 136), y_range=(17, 54),
                     x_axis_label="longitude (°E)", y_axis_label="latitude (°N)",
                     tools="pan,wheel_zoom,box_zoom,reset,save",
                     title=f"{net.name}: sites, lanes and transfers "
                           f"({Path(self.flows).name})")

        def hover(renderer: object, tips: list[tuple[str, str]]) -> None:
            fig.add_tools(HoverTool(renderers=[renderer], tooltips=tips))

        def labels(df: pd.DataFrame, text: str, **style: object) -> None:
            fig.add_layout(LabelSet(x="lon", y="lat", text=text, source=ColumnDataSource(df),
                                    **style))

        hover(fig.patches("x", "y", source=ColumnDataSource(pd.DataFrame(rings)),
                          fill_color="#f3f1ea", line_color="#b9b4a5"), [("region", "@region")])
        labels(region_labels, "region", text_color="#9a9483", text_font_size="10pt",
               text_font_style="italic")
        lane_tips = [("lane", "@from → @to"), ("mode", "@mode"),
                     ("transit", "@transit_days{0.0} days"),
                     ("cost", f"@cost_per_unit{{0,0.00}} {currency}/unit")]
        for (mode, cold), group in lanes.groupby(["mode", "cold_chain"]):
            hover(fig.segment("x0", "y0", "x1", "y1", source=ColumnDataSource(group),
                              color=COLD if cold else "#999999", alpha=0.7, line_width=1.2,
                              line_dash=MODE_DASH.get(mode, "dashdot"),
                              legend_label=_mode_label(mode, cold)), lane_tips)
        flows = self.flow_table()
        if not flows.empty:
            at = wh.set_index("id")
            flows = flows.assign(
                x0=flows["from"].map(at.lon), y0=flows["from"].map(at.lat),
                x1=flows["to"].map(at.lon), y1=flows["to"].map(at.lat),
                from_name=flows["from"].map(at.name), to_name=flows["to"].map(at.name),
                width=2 + 10 * flows.units / flows.units.max(),
                text=[f"{u:,.0f}" for u in flows.units])
            flows = flows.assign(lon=(flows.x0 + flows.x1) / 2, lat=(flows.y0 + flows.y1) / 2)
            hover(fig.segment("x0", "y0", "x1", "y1", source=ColumnDataSource(flows),
                              color="#ff7f0e", alpha=0.6, line_width="width",
                              legend_label=f"transfers ({self.flows.split(' ')[0]})"),
                  [("transfer", "@from_name → @to_name"), ("units", "@units{0,0}"),
                   ("value", f"@value{{0,0}} {currency}")])
            labels(flows, "text", text_color="#a0522d", text_font_size="9pt",
                   text_font_style="bold")
        hover(fig.scatter("lon", "lat", source=ColumnDataSource(hosp), color="#555555",
                          size=6, legend_label="hospital"),
              [("hospital", "@name"), ("region", "@region")])
        wh_tips = [("warehouse", "@name"), ("org", "@org"), ("region", "@region"),
                   ("available", "@available{0,0} units"),
                   ("days of supply", "@days_of_supply{0.0}")]
        for cold, group in wh.groupby("cold_chain"):
            hover(fig.scatter("lon", "lat", source=ColumnDataSource(group), marker="square",
                              size=13, color=COLD if cold else AMBIENT,
                              legend_label=f"warehouse, {'cold chain' if cold else 'ambient'}"),
                  wh_tips)
        labels(hosp, "name", text_font_size="7pt", text_color="#555555", x_offset=4)
        labels(wh, "name", text_font_size="9pt", text_font_style="bold", text_color="#222222",
               x_offset=8, y_offset=6)
        fig.add_layout(fig.legend[0], "right")
        return fig

    def health(self) -> pn.widgets.Tabulator:
        """Inventory health per warehouse, with totals and highlighted thresholds."""
        net = self.data.network()
        currency = net.settings.currency
        df = self.inventory.reset_index()
        low = df.days_of_supply < DAYS_OF_SUPPLY_TARGET
        df["near_expiry_share"] *= 100
        df["days_of_supply"] = [f"{d:,.1f}" if pd.notna(d) else "no demand served"
                                for d in df.days_of_supply]
        units = {"type": "money", "thousand": ",", "precision": 0}
        money = units | {"symbol": f" {currency}", "symbolAfter": True}

        def alerts(row: pd.Series) -> list[str]:
            near = row.near_expiry_share > 100 * NEAR_EXPIRY_ALERT
            return [ALERT if (c == "days_of_supply" and low[row.name]) or
                    (c in ("value_near_expiry", "near_expiry_share") and near) else ""
                    for c in row.index]
        table = pn.widgets.Tabulator(
            df, disabled=True, show_index=False, css_classes=["health"],
            sizing_mode="stretch_width", titles={
                "in_transit": "in transit (inbound)", "stock_value": f"stock value ({currency})",
                "value_near_expiry": f"value near expiry ({currency})",
                "near_expiry_share": "near expiry share", "days_of_supply": "days of supply"},
            formatters={"available": units, "quarantine": units, "reserved": units,
                        "in_transit": units, "stock_value": money, "value_near_expiry": money,
                        "near_expiry_share": {"type": "money", "precision": 1,
                                              "symbol": " %", "symbolAfter": True}})
        table.style.apply(alerts, axis=1)
        return table

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
