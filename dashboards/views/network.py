"""Network page: a map of warehouses, hospitals and lanes, and inventory health."""

import holoviews as hv
import panel as pn
import param
from panel.viewable import Viewer

from dashboards.data import DataStore, inventory_health, network_layout


class NetworkView(Viewer):
    """Map (longitude/latitude; cold-chain warehouses and lanes in blue) and a table per
    warehouse: available / quarantine / reserved / inbound units, value near expiry, days
    of supply."""

    data = param.ClassSelector(class_=DataStore)

    def map(self) -> hv.Overlay:
        """Lanes, warehouses and hospitals in geographic coordinates."""
        wh, hosp, lanes = network_layout(self.data.network())
        segs = hv.Segments(lanes, ["x0", "y0", "x1", "y1"], ["id", "mode", "cold_chain"]).opts(
            color="cold_chain", cmap={True: "#1f77b4", False: "#bbbbbb"}, line_width=1.5,
            tools=["hover"])
        hospitals = hv.Points(hosp, ["lon", "lat"], ["id", "name", "region"],
                              label="hospitals").opts(color="#999999", size=6,
                                                      tools=["hover"])
        warehouses = hv.Points(wh, ["lon", "lat"], ["id", "name", "org", "cold_chain"],
                               label="warehouses").opts(
            color="cold_chain", cmap={True: "#1f77b4", False: "#d62728"}, size=14,
            marker="square", tools=["hover"])
        return (segs * hospitals * warehouses).opts(
            width=700, height=480, xlabel="longitude", ylabel="latitude",
            title=f"{self.data.network().name}: warehouses (blue = cold chain), hospitals, lanes")

    def health(self) -> pn.widgets.Tabulator:
        """Inventory health per warehouse."""
        df = inventory_health(self.data.network()).reset_index()
        return pn.widgets.Tabulator(df, disabled=True, show_index=False, css_classes=["health"],
                                    sizing_mode="stretch_width")

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column("## Network", pn.pane.HoloViews(self.map()),
                         "### Inventory health (snapshot)", self.health())
