"""Inventory drill-down: warehouse × item stock over time (from a simulated run's ledger)
and lots by expiry (from the snapshot)."""

import holoviews as hv
import panel as pn
import param
from panel.viewable import Viewer

from dashboards.data import DataStore, lots_by_expiry, stock_over_time


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
        """On-hand units per day."""
        if not self.run:
            return pn.pane.Markdown("No simulated run with a ledger (`medtwin simulate … "
                                    "--out out/x.nc`).")
        series = stock_over_time(self.data.ledger(self.run), self.warehouse, self.item)
        return pn.pane.HoloViews(hv.Curve((series.index, series.values), "date", "units").opts(
            width=800, height=280, title=f"{self.item} at {self.warehouse}: units on hand"))

    @param.depends("warehouse", "item")
    def lots(self) -> pn.viewable.Viewable:
        """Lots at the warehouse, soonest expiry first."""
        return pn.widgets.Tabulator(lots_by_expiry(self.data.network(), self.warehouse,
                                                   self.item).astype({"expiry": str}),
                                    disabled=True, show_index=False, css_classes=["lots"])

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column("## Inventory", pn.Row(
            pn.widgets.Select.from_param(self.param.run, label="Run"),
            pn.widgets.Select.from_param(self.param.warehouse, label="Warehouse"),
            pn.widgets.Select.from_param(self.param.item, label="Item")),
            self.stock, "### Lots by expiry (snapshot)", self.lots)
