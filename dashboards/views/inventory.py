"""Inventory drill-down: warehouse × item stock over time (from a simulated run's ledger)
against the reorder point and order-up-to level, and lots by expiry (from the snapshot)."""

import panel as pn
import param
from bokeh.models import ColumnDataSource, HoverTool, NumeralTickFormatter
from bokeh.plotting import figure
from panel.viewable import Viewer

from dashboards.data import (
    DataStore,
    lots_by_expiry,
    stock_levels,
    stock_over_time,
    why_not_stocked,
)

UNITS = {"type": "money", "thousand": ",", "precision": 0}


class InventoryView(Viewer):
    """Pick a simulated run, a warehouse and an item."""

    data = param.ClassSelector(class_=DataStore)
    run = param.Selector(objects=[])
    warehouse = param.Selector(objects=[])
    item = param.Selector(objects=[])

    def __init__(self, **params: object):
        super().__init__(**params)
        net = self.data.network()
        self.param.warehouse.objects = [w.id for w in net.warehouses]
        self.warehouse = net.warehouses[0].id
        self.param.item.objects = [i.code for i in net.items]
        held = [p.item for p in net.snapshot.lots if p.warehouse == self.warehouse]
        self.item = held[0] if held else net.items[0].code
        runs = self.data.files("simulation")
        self.param.run.objects = runs
        self.run = runs[0] if runs else None

    @param.depends("run", "warehouse", "item")
    def stock(self) -> pn.viewable.Viewable:
        """On-hand units per day with the configured reorder point s and order-up-to S; or
        why the warehouse does not stock the item."""
        why = why_not_stocked(self.data.network(), self.warehouse, self.item)
        if why is not None:
            return pn.pane.Alert(why, alert_type="info", css_classes=["not-stocked"])
        if not self.run:
            return pn.pane.Markdown("No simulated run with a ledger (`medtwin simulate … "
                                    "--out out/x.nc`).")
        series = stock_over_time(self.data.ledger(self.run), self.warehouse, self.item)
        fig = figure(width=900, height=300, x_axis_type="datetime", x_axis_label="date",
                     y_axis_label="units", tools="pan,wheel_zoom,box_zoom,reset,save",
                     title=f"{self.item} at {self.warehouse}: units on hand")
        fig.yaxis.formatter = NumeralTickFormatter(format="0,0.[0]")
        source = ColumnDataSource({"date": series.index, "units": series.values})
        fig.add_tools(HoverTool(renderers=[fig.line("date", "units", source=source,
                                                    legend_label="on hand", line_width=2)],
                                tooltips=[("date", "@date{%F}"), ("units", "@units{0,0}")],
                                formatters={"@date": "datetime"}))
        top = float(series.max()) if len(series) else 0.0
        levels = stock_levels(self.data.network(), self.warehouse, self.item)
        if levels is not None:
            for level, name, color in zip(levels, ("reorder point s", "order-up-to S"),
                                          ("#d62728", "#2ca02c"), strict=True):
                fig.line(series.index, [level] * len(series), color=color, line_dash="dashed",
                         legend_label=f"{name} = {level:,}")
            top = max(top, levels[1])
        fig.y_range.start, fig.y_range.end = 0, 1.1 * top + 1
        fig.add_layout(fig.legend[0], "right")
        return pn.pane.Bokeh(fig)

    @param.depends("warehouse", "item")
    def lots(self) -> pn.viewable.Viewable:
        """Lots at the warehouse, soonest expiry first."""
        return pn.widgets.Tabulator(lots_by_expiry(self.data.network(), self.warehouse,
                                                   self.item).astype({"expiry": str}),
                                    disabled=True, show_index=False, css_classes=["lots"],
                                    formatters={"units": UNITS, "days_left": UNITS})

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column("## Inventory", pn.Row(
            pn.widgets.Select.from_param(self.param.run, label="Run"),
            pn.widgets.Select.from_param(self.param.warehouse, label="Warehouse"),
            pn.widgets.Select.from_param(self.param.item, label="Item")),
            self.stock, "### Lots by expiry (snapshot)", self.lots)
